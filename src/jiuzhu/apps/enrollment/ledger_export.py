"""Export the current ledger (live enrollments of a region, one row per household member) to xlsx with
xlsxwriter in constant-memory mode, in the import layout of docs/ledger-xlsx.md. ID numbers, bank
accounts and phone numbers are masked unless ``full``; a full export needs a role that may see full
personal data and is audited. A full export imports back unchanged (round trip)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.regions.codes import subtree_range
from jiuzhu.apps.registry import pii
from jiuzhu.apps.registry.models import Household, Membership
from jiuzhu.core.spreadsheets import xlsx_workbook
from jiuzhu.rules.errors import Forbidden

from .ledger_columns import (
    AREA_LABEL,
    COLUMNS,
    DISABILITY_LABEL,
    HEADERS,
    HEALTH_LABEL,
    INCOME_KEYS,
    PROGRAM_LABEL,
    RELATION_LABEL,
    STATUS_LABEL,
)
from .ledger_import import check_importer
from .models import Enrollment

_NUMBER = {"amount", *INCOME_KEYS}
_CHUNK = 2000


def _enrollments(region_code: str) -> dict[int, list[dict]]:
    low, high = subtree_range(region_code)
    out: dict[int, list[dict]] = defaultdict(list)
    for e in (Enrollment.objects.filter(region_id__gte=low, region_id__lte=high, status__in=Enrollment.LIVE)
              .order_by("region_id", "household_id", "id")
              .values("household_id", "person_id", "program", "klass", "amount", "persons", "start_month", "status",
                      "decided_on", "next_recheck")):
        out[e["household_id"]].append(e)
    return out


def _enrollment_cells(e: dict) -> dict:
    return {"program": PROGRAM_LABEL[(e["program"], e["person_id"] is not None)], "klass": e["klass"],
            "amount": float(e["amount"]), "persons": e["persons"], "start_month": e["start_month"].strftime("%Y-%m"),
            "status": STATUS_LABEL.get(e["status"], e["status"]), "decided_on": e["decided_on"].isoformat(),
            "next_recheck": e["next_recheck"].isoformat() if e["next_recheck"] else ""}


def _rows(by_household: dict[int, list[dict]], full: bool, skipped: list):
    ids = list(by_household)
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        households = {h["id"]: h for h in Household.objects.filter(pk__in=chunk).values(
            "id", "region_id", "area_type", "address", "head_id", "bank_name", "bank_account_enc", "bank_account_masked")}
        members = defaultdict(list)
        for m in (Membership.objects.filter(household_id__in=chunk, end_date__isnull=True).order_by("household_id", "id")
                  .values("household_id", "relation", "co_resident", "person_id", "person__name",
                          "person__id_number_enc", "person__id_number_masked", "person__phone_enc",
                          "person__phone_masked", "person__disability_kind", "person__disability_grade",
                          "person__health", "person__wage", "person__business", "person__property_income",
                          "person__transfer")):
            members[m["household_id"]].append(m)
        for hid in chunk:
            hh, people = households[hid], members[hid]
            head = next((m for m in people if m["person_id"] == hh["head_id"]), None)
            if head is None:
                skipped.append(hid)
                continue
            anchors: dict = {}
            for e in by_household[hid]:
                anchor = e["person_id"] or hh["head_id"]
                if anchor in anchors or all(m["person_id"] != anchor for m in people):
                    skipped.append(hid)  # not representable: two enrollments on one row, or the person left
                    continue
                anchors[anchor] = _enrollment_cells(e)
            def ident(enc, masked, purpose="id_number"):
                return (pii.open_(enc, purpose=purpose) if enc else "") if full else masked

            head_id = ident(head["person__id_number_enc"], head["person__id_number_masked"])
            for m in sorted(people, key=lambda m: m["person_id"] != hh["head_id"]):
                row = {"head_name": head["person__name"], "head_id": head_id, "name": m["person__name"],
                       "id_number": ident(m["person__id_number_enc"], m["person__id_number_masked"]),
                       "relation": RELATION_LABEL.get(m["relation"], m["relation"]),
                       "co_resident": "是" if m["co_resident"] else "否",
                       "phone": ident(m["person__phone_enc"], m["person__phone_masked"], purpose="phone"),
                       "disability_kind": DISABILITY_LABEL.get(m["person__disability_kind"], ""),
                       "disability_grade": m["person__disability_grade"] or "",
                       "health": HEALTH_LABEL.get(m["person__health"], ""),
                       **{k: float(m[f"person__{k}"]) for k in INCOME_KEYS}}
                if m["person_id"] == hh["head_id"]:
                    row.update(_head=True, village=hh["region_id"], area_type=AREA_LABEL[hh["area_type"]], address=hh["address"],
                               bank_name=hh["bank_name"],
                               bank_account=ident(hh["bank_account_enc"], hh["bank_account_masked"], purpose="bank_account"))
                row.update(anchors.get(m["person_id"], {}))
                yield row


def ledger_export(*, actor, region_code: str, path: str | Path, full: bool = False, progress=None) -> dict:
    """Write the ledger; returns {"rows", "households", "enrollments", "skipped"}."""
    step = progress or (lambda label, done, total: None)
    check_importer(actor, region_code)
    if full and actor is not None and not can(actor, "pii.view_full"):
        raise Forbidden("forbidden", "您的角色无权导出完整身份证号、银行账号和电话（请导出脱敏台账）", field="full")
    by_household = _enrollments(region_code)
    total = len(by_household)
    wb = xlsx_workbook(path, {"constant_memory": True})
    bold = wb.add_format({"bold": True})
    money = wb.add_format({"num_format": "0.00"})
    ws = wb.add_worksheet("在保对象台账")
    keys = [c.key for c in COLUMNS]
    for c, key in enumerate(keys):  # column formats: cells written without a format take them
        ws.set_column(c, c, 14, money if key in _NUMBER else None)
    ws.write_row(0, 0, HEADERS, bold)
    skipped: list[int] = []
    n = 0
    households = exported = 0
    for row in _rows(by_household, full, skipped):
        n += 1
        households += row.pop("_head", False)
        exported += bool(row.get("program"))
        row["seq"] = n
        # write_row types each cell: numbers stay numbers, every identifier is a str so it stays text
        ws.write_row(n, 0, [row.get(key, "") for key in keys])
        if n % 5000 == 0:
            step("导出", households, total)
    wb.close()
    step("导出", total, total)
    result = {"rows": n, "households": households, "enrollments": exported, "skipped": sorted(set(skipped)),
              "full": full}
    audit_record(actor=actor, action="ledger.export_full" if full else "ledger.export", subject_type="region",
                 subject_id=region_code, region_code=region_code,
                 details={"rows": n, "households": result["households"], "full": full})
    return result
