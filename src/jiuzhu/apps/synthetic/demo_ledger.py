"""The demo county's existing enrollments (在保对象), taken over the way a county does it: a ledger
workbook (台账, docs/ledger-xlsx.md) written here and imported by the county user with ``ledger_import``
(validated whole, written in bulk, one audit event). The workbook stays under var/demo/ as a sample."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import xlsxwriter

from jiuzhu.apps.enrollment.ledger_columns import HEADERS
from jiuzhu.apps.enrollment.ledger_import import ledger_import

from .demo_people import is_rural
from .demo_timeline import local_day

STANDARD = Decimal("1301")  # dibao standard per person and month (杭州市, from 2025-01-23)
TEKUN_BASIC = Decimal("2255")  # tekun basic living standard
# (per-capita income as a share of the standard, share of the standard paid per person): the county's tiers
TIERS = ((Decimal("0.15"), Decimal("1")), (Decimal("0.3"), Decimal("0.8")), (Decimal("0.5"), Decimal("0.6")))
RELATION_LABEL = {"head": "户主", "spouse": "配偶", "child": "子女", "parent": "父母"}


def _money(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP).quantize(Decimal("0.01")))


def _add_months(month: date, n: int) -> date:
    m = month.month - 1 + n
    return date(month.year + m // 12, m % 12 + 1, 1)


class LedgerBuilder:
    """Rows of the ledger: one per member; the enrollment on the head's row (dibao) or the person's."""

    def __init__(self, world, *, import_day: date, latest_start: date):
        self.w, self.people, self.rng = world, world.people, world.people.rng
        self.import_day, self.latest_start = import_day, latest_start
        self.rows: list[dict] = []

    def _start(self) -> tuple[date, date]:
        start = _add_months(self.latest_start, -self.rng.randint(0, 34))
        decided = min(start - timedelta(days=self.rng.randint(6, 25)), self.import_day)
        return start, decided

    def _enrollment(self, label: str, amount: Decimal, persons: int, klass: str = "") -> dict:
        start, decided = self._start()
        months = 6 if klass in ("C", "D") else 12
        recheck = _add_months(start, months * (1 + (self.import_day - start).days // (months * 30)))
        status = "暂停" if self.rng.random() < 0.012 else "在保"
        return {"保障类别": label, "分类": klass, "月保障金(元)": _money(amount), "保障人数": str(persons),
                "起始月份": start.strftime("%Y-%m"), "状态": status, "确认日期": decided.isoformat(),
                "下次复核": recheck.strftime("%Y-%m")}

    def household(self, village: str) -> None:
        rng, p = self.rng, self.people
        kind = rng.choices(("dibao", "single", "tekun"), (78, 6, 16))[0]
        surname = p.surname()
        if kind == "tekun":
            members = [("head", rng.randint(62, 92), rng.choice("MF"), {})]
        elif kind == "single":
            age = rng.randint(45, 60)
            members = [("head", age, "M", {}), ("spouse", age - 2, "F", {}),
                       ("child", rng.randint(18, 30), rng.choice("MF"), {"残疾类别": "肢体", "残疾等级": "1"})]
        else:
            shape = rng.choice(("elder", "couple", "family", "family"))
            if shape == "elder":
                members = [("head", rng.randint(65, 90), rng.choice("MF"), {})]
            elif shape == "couple":
                age = rng.randint(62, 84)
                members = [("head", age, "M", {}), ("spouse", age - rng.randint(0, 5), "F", {})]
            else:
                age = rng.randint(32, 55)
                members = [("head", age, "M", {"健康状况": rng.choice(("慢性病", "重特大疾病"))}),
                           ("spouse", age - 2, "F", {})]
                members += [("child", rng.randint(2, 17), rng.choice("MF"), {}) for _ in range(rng.randint(1, 2))]
        rows = []
        for relation, age, sex, extra in members:
            rows.append({"成员姓名": p.name(sex, surname if relation in ("head", "child") else None),
                         "成员身份证号": p.id_number(age, sex), "与户主关系": RELATION_LABEL[relation],
                         "_age": age, **extra})
        head = rows[0]
        head.update({"村(居)区划代码": village, "城乡类别": "农村" if is_rural(village) else "城镇",
                     "居住地址": p.address(self.w.region_names[village])})
        if rng.random() < 0.97:
            head["银行账号"], head["开户行"] = p.account()
        if rng.random() < 0.7:
            head["联系电话"] = p.phone()
        n = len(rows)
        if kind == "tekun":
            head.update(self._enrollment("特困", TEKUN_BASIC, 1))
        elif kind == "single":
            head["工资性收入(元/月)"] = str(rng.randint(2200, 2800))
            rows[2].update(self._enrollment("低保单人施保", STANDARD, 1))
        else:
            share, paid = rng.choice(TIERS)
            income = (STANDARD * n * share * Decimal(rng.randint(50, 100)) / 100).quantize(Decimal("1"))
            earner = next((r for r in rows if 18 <= r["_age"] < 60), head)
            earner["工资性收入(元/月)" if earner["_age"] < 60 else "转移净收入(元/月)"] = str(income)
            special = any(r["_age"] >= 60 or "残疾类别" in r or r.get("健康状况") == "重特大疾病" for r in rows)
            klass = "A" if special and n == 1 else ("B" if special else rng.choice("BCD"))
            head.update(self._enrollment("低保", STANDARD * n * paid, n, klass))
        for r in rows:
            r.update({"户主姓名": head["成员姓名"], "户主身份证号": head["成员身份证号"]})
        self.rows += rows

    def write(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
        sheet = book.add_worksheet("在保对象台账")
        sheet.write_row(0, 0, HEADERS)
        for r, row in enumerate(self.rows, start=1):
            row["序号"] = str(r)
            for c, header in enumerate(HEADERS):
                sheet.write_string(r, c, str(row.get(header, "")))  # text cells: ID and account digits kept
        book.close()
        return path


def schedule_ledger(world, *, households: int, import_day: date, latest_start: date) -> None:
    """Write the ledger now (deterministic from the seed) and import it on ``import_day``."""
    builder = LedgerBuilder(world, import_day=import_day, latest_start=latest_start)
    villages = world.villages
    for i in range(households):
        builder.household(villages[i % len(villages)])
    path = builder.write(world.files_dir / "在保对象台账.xlsx")

    def run(at: datetime):
        world.result["ledger"] = ledger_import(actor=world.users["county"], path=path,
                                               region_code=world.county, as_of=local_day(at))
    world.tl.add(import_day, run, "ledger_import", slot=5)
