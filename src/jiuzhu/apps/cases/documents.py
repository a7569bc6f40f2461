"""The case's documents (seed 附件1–9) filled from the case, and the case file (一人一档) ZIP.

Documents are rendered on demand from the case's records, so a PDF always matches what the case
holds; the ZIP is deterministic for the same case state.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from django.utils import timezone

from jiuzhu.apps.documents import contexts as c
from jiuzhu.apps.documents.archive import build_case_file_zip
from jiuzhu.apps.documents.kinds import kind_get
from jiuzhu.apps.documents.render import render_pdf
from jiuzhu.apps.regions.codes import ancestors
from jiuzhu.apps.regions.models import Region
from jiuzhu.apps.registry.choices import (
    DisabilityKind,
    Health,
    ObligorRelation,
    Relation,
    Sex,
)
from jiuzhu.apps.registry.models import Membership
from jiuzhu.rules.basis import name_members, plain_step
from jiuzhu.rules.errors import NotFound

from . import files, notice_documents, registry
from .models import Case, Notice

INCOME_LABELS = {"wage": "工资性收入", "business": "经营净收入", "property": "财产净收入", "transfer": "转移净收入"}
ITEM_LABELS = {**INCOME_LABELS, "social_insurance": "个人缴纳社会保险", "income_tax": "个人所得税",
               "medical_extra": "自付医疗费用", "financial": "金融资产", "vehicle": "机动车辆",
               "residential_property": "住房", "business_capital": "市场主体注册资本"}
GRADES = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}
LEGAL_BASIS = {
    "dibao": "《社会救助暂行办法》第十一条，《最低生活保障审核确认办法》（民发〔2021〕57号）第二十一条",
    "tekun": "《社会救助暂行办法》第十四条，《特困人员认定办法》（民发〔2021〕43号）第十六条",
    "lowinc": "《刚性支出困难家庭认定办法》第七条，县《社会救助年审工作方案》四(三)（认定程序按照低保认定程序执行）",
}
ZERO = Decimal("0.00")


def staff_name(event) -> str:
    """The name printed for who acted: full name and post (User.staff_label), else the stored username."""
    return event.actor.staff_label if event.actor_id else event.actor_name


def _latest(case, kind):
    return case.records.filter(kind=kind).order_by("-id").first()


def _event_day(record) -> date:
    return timezone.localtime(record.event.at).date()


def _names(case) -> dict:
    chain = [*ancestors(case.region_id), case.region_id]
    names = dict(Region.objects.filter(code__in=chain).values_list("code", "name"))
    by_level = {len(chain) - i: names.get(code, "") for i, code in enumerate(reversed(chain))}
    return {"county": names.get(case.region_id[:6] + "000000", ""),
            "township": names.get(case.region_id[:9] + "000", ""), "village": by_level.get(len(chain), "")}


def header(case, doc_date: date) -> c.Header:
    n = _names(case)
    return c.Header(county=n["county"], township=n["township"], village=n["village"], case_number=case.number,
                    program=case.program, doc_date=doc_date)


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _labour(person, age: int) -> str:
    if age < 16:
        return "无劳动能力（未成年）"
    if age >= 60:
        return "无劳动能力（老年）"
    severe = (person.disability_kind in ("intellectual", "mental") and 1 <= person.disability_grade <= 3) or \
        (person.disability_kind == "physical" and 1 <= person.disability_grade <= 2) or \
        (person.disability_kind == "visual" and person.disability_grade == 1)
    return "无劳动能力（重度残疾）" if severe else "有劳动能力"


def _member(m: Membership, on: date, figures=None) -> c.Member:
    """A member's row; the monthly income by kind is the case's (核对 over declaration, programs.figures)
    for a member the case covers, else the declaration."""
    p = m.person
    age = _age(p.birth_date, on)
    disability = "" if p.disability_kind == "none" or not p.disability_grade else \
        f"{DisabilityKind(p.disability_kind).label}残疾{GRADES.get(p.disability_grade, '')}"
    income = figures.income.get(p.pk) if figures is not None else None
    if income is None:
        income = {"wage": p.wage, "business": p.business, "property": p.property_income, "transfer": p.transfer}
    items = [c.IncomeItem(INCOME_LABELS[k], Decimal(income[k]).quantize(ZERO)) for k in INCOME_LABELS if income.get(k)]
    return c.Member(name=p.name, relation=Relation(m.relation).label, id_number_masked=p.id_number_masked,
                    age=age, sex=Sex(p.sex).label, health=Health(p.health).label, disability=disability,
                    labour_capacity=_labour(p, age), income_items=items)


def household(case, on: date, figures=None) -> c.Household:
    hh = case.household
    rows = Membership.objects.filter(household=hh, end_date__isnull=True).select_related("person").order_by("id")
    if case.program == "tekun":
        rows = rows.filter(person=case.applicant)
    return c.Household(head_name=case.applicant.name, address=hh.address or "—",
                       area_type="城市" if hh.area_type == "urban" else "农村",
                       members=[_member(m, on, figures) for m in rows], phone_masked=case.applicant.phone_masked)


def declaration(case, hh: c.Household, figures=None) -> c.Declaration:
    """Income and assets as the case uses them (issue 13 §1): with ``figures`` (programs.figures, the
    rules engine's evaluation of 核对 over declaration) the household's counted income and the
    per-capita income the proposal decided on; without, the declaration summed as it is."""
    h = case.household
    if figures is not None:
        total, per_capita, a = figures.household_income, figures.per_capita_income, figures.assets
        vehicles, max_vehicle = int(a["vehicle_count"]), a["max_vehicle_value"]
        capital, financial, homes = a["business_capital"], a["financial"], int(a["residential_properties"])
    else:
        total = sum((m.monthly_income for m in hh.members), ZERO)
        per_capita = (total / hh.size).quantize(ZERO) if hh.size else ZERO
        vehicles, max_vehicle, capital = h.vehicle_count, h.max_vehicle_value, h.business_capital
        financial, homes = h.financial_assets, h.residential_properties
    assets = []
    if vehicles:
        assets.append(c.AssetItem("机动车辆", f"{vehicles} 辆", Decimal(max_vehicle).quantize(ZERO)))
    if capital:
        assets.append(c.AssetItem("经营性资产", "市场主体注册资本", Decimal(capital).quantize(ZERO)))
    obligors = [c.Obligor(o.name, ObligorRelation(o.relation).label, o.id_number_masked or "", "—",
                          Decimal(o.monthly_income or 0).quantize(ZERO)) for o in h.obligors.all()]
    return c.Declaration(monthly_income_total=Decimal(total).quantize(ZERO),
                         monthly_income_per_capita=Decimal(per_capita).quantize(ZERO),
                         financial_assets_total=Decimal(financial).quantize(ZERO),
                         housing=f"自有住房 {homes} 套", assets=assets, obligors=obligors,
                         basis=figures.basis if figures is not None else "")


def verification(case) -> c.Verification | None:
    rec = _latest(case, "verification")
    if rec is None:
        return None
    names = dict(Membership.objects.filter(household=case.household).values_list("person_id", "person__name"))
    rows = [c.VerificationRow(member=names.get(int(i["member"]), str(i["member"])), source=i["source"],
                              item=ITEM_LABELS.get(i["item"], i["item"]), amount=Decimal(str(i["amount"])).quantize(ZERO),
                              as_of=date.fromisoformat(i["as_of"])) for i in rec.data.get("items", [])]
    conclusion = "核对结果与申报一致" if rec.data.get("conclusion") == "consistent" else "核对结果与申报不一致"
    if rec.data.get("note"):
        conclusion += f"：{rec.data['note']}"
    return c.Verification(report_number=f"HD{case.number}", report_date=_event_day(rec), conclusion=conclusion,
                          rows=rows)


def survey(case) -> c.Survey | None:
    rec = _latest(case, "survey")
    if rec is None:
        return None
    d = rec.data
    self_care = None
    if case.program == "tekun" and d.get("adl_failed") is not None:
        failed = int(d["adl_failed"])
        level = "具备生活自理能力" if failed == 0 else ("部分丧失生活自理能力" if failed <= 3 else "完全丧失生活自理能力")
        self_care = c.SelfCare(activities=(), level=f"{level}（6 项中 {failed} 项未达到）")
    return c.Survey(survey_date=date.fromisoformat(d["date"]), investigators=d["investigators"],
                    living_conditions=d["living_conditions"], findings=d["findings"], self_care=self_care)


def review(case) -> c.Review | None:
    rec = _latest(case, "review")
    if rec is None:
        return None
    d = rec.data
    names = dict(Membership.objects.filter(household=case.household).values_list("person_id", "person__name"))
    trace = [c.TraceLine(t.get("rule", ""), plain_step(t.get("rule", ""), t.get("step", ""), names),
                         name_members(str(t.get("value", "")), names))
             for t in case.proposal.get("result", {}).get("trace", [])]
    amount = Decimal(d["amount"]).quantize(ZERO) if d.get("opinion") == "grant" else None
    return c.Review(proposed_status=d["opinion"], proposed_class=d.get("klass", ""), proposed_amount=amount,
                    trace=trace, caseworker_opinion=d.get("note") or ("拟纳入" if d["opinion"] == "grant" else "拟不纳入"),
                    caseworker_name=staff_name(rec.event), review_date=_event_day(rec),
                    override_reason=d.get("override_reason", ""))


def appraisal(case) -> c.Appraisal | None:
    rec = _latest(case, "appraisal")
    if rec is None:
        return None
    d = rec.data
    return c.Appraisal(meeting_date=date.fromisoformat(d["date"]), participants=d["participants"],
                       result="通过" if d["outcome"] == "eligible" else "未通过",
                       summary=d.get("minutes") or f"同意 {d['votes_for']} 票，反对 {d['votes_against']} 票")


def confirmation(case) -> c.Confirmation | None:
    rec = _latest(case, "confirmation") or _latest(case, "rejection")
    if rec is None:
        return None
    d, approve = rec.data, rec.kind == "confirmation"
    start_month = registry.lookup("enrollment_start_month", case)  # programs.documents: the first paid month
    modes = {"centralized": "集中供养", "dispersed": "分散供养"}
    return c.Confirmation(meeting_date=date.fromisoformat(d["meeting_date"]), members_present=d["members_present"],
                          opinion=d.get("opinion") or "；".join(d.get("reasons", [])),
                          decision="approve" if approve else "reject",
                          monthly_amount=case.decided_amount if approve else None,
                          start_month=start_month,
                          support_mode=modes.get(d.get("support_mode") or "", ""),
                          certificate_number="、".join(sorted(registry.lookup("certificate_numbers", case,
                                                                             default={}).values())) if approve else "")


def _notice(case, kind, h: c.Header) -> c.Notice | None:
    n = case.notices.filter(kind=kind).order_by("-id").first()
    if n is None:
        return None
    # 附件8 prints the 低保证/特困证 number issued with the approval's enrollment
    numbers = registry.lookup("certificate_numbers", case, default={}) if kind == Notice.Kind.LONG_TERM else {}
    return c.Notice(start_date=n.starts_on, end_date=n.ends_on, objection_phone=n.objection_phone,
                    rows=[c.NoticeRow(n.name, n.household_size, Decimal(n.amount).quantize(ZERO),
                                      numbers.get(n.enrollment_id, ""))],
                    publisher=h.township_gov)


def _issuer(case, h: c.Header) -> str:
    return f"{h.county}民政局" if case.settings.get("confirmation_level") == "county" else h.township_gov


def denial(case, h: c.Header) -> c.Denial | None:
    rec = _latest(case, "rejection")
    if rec is None:
        return None
    return c.Denial(letter_number=f"{h.township}不批字〔{timezone.localtime(case.submitted_at):%Y}〕{case.pk}号",
                    application_date=timezone.localtime(case.submitted_at).date(), reasons=rec.data["reasons"],
                    legal_basis=LEGAL_BASIS[case.program], issuer=_issuer(case, h),
                    remedy=c.Remedy(f"{h.county}人民政府", f"{h.county}人民法院"))


def submitted_on(case) -> date:
    return timezone.localtime(case.submitted_at).date()


def _applicant_row(case) -> int:
    """The applicant's row in the members table of the documents (-1 when not a current member)."""
    ids = list(Membership.objects.filter(household=case.household, end_date__isnull=True)
               .order_by("id").values_list("person_id", flat=True))
    if case.applicant_id not in ids:
        return -1
    return 0 if case.program == "tekun" else ids.index(case.applicant_id)


def contexts(case, today: date, *, applicant_id_number: str = "") -> dict[str, object]:
    """Every document the case can produce now, by kind code, in the seed's order. Each is dated on the
    event it records (application, survey, meeting, notice, decision), never on ``today``, the day it is
    generated: a PDF printed a month later says what it said on the day (issue 12 §3.7). Ages are as of
    the application. ``applicant_id_number``: the applicant's full number for 附件1 (opened and audited
    by the caller, document_services), else 附件1 shows it masked like every other document."""
    own = registry.program_documents(case.program)
    if own is not None:  # a program with its own document list (临时救助: 审批表, 先行救助登记表, 转介函)
        return own.build(case, today)
    h = header(case, submitted_on(case))

    def dated(on: date) -> c.Header:
        return replace(h, doc_date=on)

    figures = registry.lookup("case_figures", case, h.doc_date)  # programs.figures: the proposal's figures
    hh = household(case, h.doc_date, figures)
    decl = declaration(case, hh, figures)
    intake = _latest(case, "intake")
    agent = staff_name(intake.event) if intake and case.channel == "village" else ""
    out: dict[str, object] = {
        "authorization": c.AuthorizationContext(h, hh, f"{h.county}民政局", _applicant_row(case),
                                                applicant_id_number),
        "economic_info": c.EconomicInfoContext(h, hh, decl),
        "application": c.ApplicationContext(h, hh, decl, reason=(intake.data.get("note") if intake else "")
                                            or "家庭收入低于当地保障标准，生活困难，特此申请",
                                            application_date=h.doc_date, agent_name=agent),
    }
    out.update(notice_documents.notices(case, h, hh, h.doc_date))  # 受理/不予受理/核对不符/一次性告知
    ver, sur, rev = verification(case), survey(case), review(case)
    if sur:
        out["survey"] = c.SurveyContext(dated(sur.survey_date), hh, decl, sur, ver)
    if ver and sur and rev:
        conf = confirmation(case)
        out["confirmation_form"] = c.ConfirmationFormContext(
            dated(conf.meeting_date if conf else rev.review_date), hh, decl, ver, sur, rev, appraisal(case), conf)
    initial = _notice(case, Notice.Kind.INITIAL, h)
    if initial:
        out["initial_notice"] = c.InitialNoticeContext(dated(initial.start_date), initial)
    den = denial(case, h)
    if den:
        out["denial_letter"] = c.DenialLetterContext(dated(_decision_day(case)), hh, den)
    long_term = _notice(case, Notice.Kind.LONG_TERM, h)
    if long_term:
        out["confirmation_notice"] = c.ConfirmationNoticeContext(dated(long_term.start_date), long_term)
    for kind, build in registry.documents().items():  # programs.documents: 附件9 of a recheck's decision
        doc = build(case, today)
        if doc:
            out[kind] = doc
    return out


def _decision_day(case) -> date:
    """The day of the rejection decision: its meeting's date (the 审核确认会 decides)."""
    rec = _latest(case, "rejection")
    return date.fromisoformat(rec.data["meeting_date"]) if rec.data.get("meeting_date") else _event_day(rec)


def case_document_pdf(*, case: Case, kind: str, today: date, applicant_id_number: str = "") -> tuple[str, bytes]:
    """(filename, PDF) of one document; NotFound when the case cannot produce it yet."""
    available = contexts(case, today, applicant_id_number=applicant_id_number)
    if kind not in available:
        raise NotFound("document.unavailable", "该文书在案件当前阶段尚不能生成", field="kind")
    k = kind_get(kind)
    return f"{case.number}-{k.title}.pdf", render_pdf(kind, available[kind])


def case_materials(case: Case) -> list[tuple[str, str, bytes]]:
    """The uploaded material for the case file, decrypted: scans by kind (身份证件, 委托授权书, …) in
    upload order, then the survey photos in upload order."""
    order = {k: i for i, k in enumerate(files.KINDS)}
    rows = sorted(case.attachments.all(), key=lambda a: (a.kind == "photo", order.get(a.kind, 99), a.pk))
    seen: dict[str, int] = {}
    out = []
    for att in rows:
        label = files.KINDS.get(att.kind, att.kind)
        seen[label] = seen.get(label, 0) + 1
        out.append((f"{label}{seen[label]}", att.filename, files.attachment_bytes(att)))
    return out


def case_file_zip(*, case: Case, today: date, applicant_id_number: str = "") -> tuple[str, bytes]:
    """The case file (一人一档): every available document in the seed's order, the 核对 report recorded
    in the case, then the uploaded scans and photos (``case_materials``), with an index."""
    entries = [(kind, f"{kind_get(kind).title}.pdf", render_pdf(kind, ctx))
               for kind, ctx in contexts(case, today, applicant_id_number=applicant_id_number).items()]
    report = registry.lookup("verification_report_pdf", case)  # the 核对 report recorded in the case
    if report:
        entries.append(("verification_report", *report))
    return f"{case.number}-一人一档.zip", build_case_file_zip(
        entries, f"{case.number} {case.applicant.name} 一人一档", materials=case_materials(case))
