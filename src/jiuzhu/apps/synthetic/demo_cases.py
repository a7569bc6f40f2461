"""Demo applications (dibao and tekun) in every state, each walked by ``case_submit`` / ``case_act`` on
past working days as the demo users (township A: 千岛湖镇). A script lists the steps up to its target
state; the days are laid backwards from the day of the last step, so a case in notice is publicized
within the last week and an overdue case acted on long enough ago for its deadline to have passed."""

from __future__ import annotations

from datetime import datetime, timedelta

from jiuzhu.apps.cases.services import case_act, case_submit
from jiuzhu.apps.registry.models import Membership
from jiuzhu.apps.registry.services import household_create
from jiuzhu.rules.errors import ValidationFailed

from .demo_timeline import local_day

# Default actor of each action (demo usernames); the village assistant submits and surveys in its village.
ACTORS = {
    "request_verification": "township", "record_verification": "county", "accept": "township",
    "record_survey": "township", "initial_review": "township", "publish_notice": "township",
    "close_notice": "township", "confirm": "township_lead", "file_record": "township",
    "request_materials": "township", "record_objection": "township", "notify_ineligible": "township",
    "forward_denial": "township", "reject": "township_lead", "deliver_denial": "township", "withdraw": "township",
    "terminate": "township",
}
VILLAGE_OF_ASSISTANT = "330127100201"  # 珍珠半岛村
TOWNSHIP_A_VILLAGES = ("330127100201", "330127100202", "330127100001", "330127100002")

INTAKE = {"id_checked": True, "authorization_signed": True, "economic_form_signed": True}
GROUP = ["陈组长", "吴委员", "郑委员"]
# (action, working days after the previous step); ("close_notice", -8): at least 8 calendar days after
FULL = [("submit", 0), ("request_verification", 1), ("record_verification", 2), ("accept", 1),
        ("record_survey", 2), ("initial_review", 1), ("publish_notice", 1), ("close_notice", -8),
        ("confirm", 1), ("file_record", 2)]
PREFIX = {"submitted": 1, "verifying": 2, "verified": 3, "accepted": 4, "surveyed": 5, "reviewed": 6,
          "in_notice": 7, "awaiting_confirmation": 8, "approved": 10}
EXTRA = {
    "awaiting_materials": ("verified", [("request_materials", 1)]),
    "disputed": ("in_notice", [("record_objection", 2)]),
    "closed_ineligible": ("verified", [("notify_ineligible", 2)]),
    "withdrawn": ("verifying", [("withdraw", 2)]),
    "terminated": ("accepted", [("terminate", 3)]),
    "rejected": ("accepted", [("record_survey", 2), ("initial_review", 1), ("forward_denial", 1), ("reject", 2),
                              ("deliver_denial", 1)]),
}
# Verification findings by the case's profile (what the county's report recorded)
PROFILE_OF = {"rejected": "wage", "closed_ineligible": "assets"}


def steps_for(target: str) -> list[tuple[str, int]]:
    if target in PREFIX:
        return FULL[:PREFIX[target]]
    base, more = EXTRA[target]
    return FULL[:PREFIX[base]] + more


class CaseScript:
    """One demo application: its household, program, target state and the day of its last step."""

    def __init__(self, world, program: str, target: str, *, end, village: str, profile: str = "plain"):
        self.w, self.program, self.target, self.village = world, program, target, village
        self.profile = PROFILE_OF.get(target, profile)
        self.case = None
        self.by_assistant = village == VILLAGE_OF_ASSISTANT
        self.steps = steps_for(target)
        self.days = self._days(end)

    def _days(self, end) -> list:
        tl = self.w.tl
        days = [end]
        for _, gap in reversed(self.steps[1:]):
            later = days[0]
            days.insert(0, tl.workday_on_or_before(later + timedelta(days=gap)) if gap < 0
                        else tl.workdays_before(later, gap))
        return days

    def schedule(self) -> None:
        for i, ((action, _), day) in enumerate(zip(self.steps, self.days)):
            self.w.tl.add(day, self._runner(action), f"{self.program}:{self.target}:{action}", slot=20 + i)

    def _runner(self, action: str):
        def run(at: datetime):
            if action == "submit":
                self._submit(at)
            else:
                self._act(action, at)
        return run

    # --- steps --------------------------------------------------------------------------------------
    def _submit(self, at: datetime) -> None:
        w, day = self.w, local_day(at)
        data = w.people.applicant_household(self.program, self.village, w.region_names[self.village])
        submitter = w.users["village" if self.by_assistant else "township"]
        household = household_create(actor=submitter, data=data, as_of=day)
        self.case = case_submit(actor=submitter, program=self.program, household_id=household.pk,
                                applicant_id=household.head_id, channel="village" if self.by_assistant else "window",
                                payload=dict(INTAKE), now=at)

    def _act(self, action: str, at: datetime) -> None:
        actor = ACTORS[action]
        if action == "record_survey" and self.by_assistant:
            actor = "village"
        if action == "confirm" and self.program == "tekun":
            case = self.case.__class__.objects.get(pk=self.case.pk)
            if case.spot_check_sampled:  # the county's spot check (at least 30 % of tekun cases) comes first
                self._do("county", "record_spot_check", self._home_visit(local_day(at)), at - timedelta(minutes=30))
        payload = getattr(self, f"_p_{action}", lambda day: {})(local_day(at))
        if action == "initial_review":
            try:
                self.case = self._do(actor, action, payload, at)
            except ValidationFailed as exc:  # the rules disagree: the caseworker writes why
                if exc.code != "case.override_reason":
                    raise
                self.case = self._do(actor, action, {**payload, "override_reason": "经入户调查核实，按实际情况调整"}, at)
            return
        self.case = self._do(actor, action, payload, at)

    def _do(self, actor: str, action: str, payload: dict, at: datetime):
        return case_act(actor=self.w.users[actor], case_id=self.case.pk, action=action, payload=payload, now=at)

    # --- payloads -----------------------------------------------------------------------------------
    def _members(self) -> list[int]:
        return list(Membership.objects.filter(household_id=self.case.household_id, end_date__isnull=True)
                    .order_by("id").values_list("person_id", flat=True))

    def _p_record_verification(self, day) -> dict:
        d = day.isoformat()
        head = self.case.applicant_id
        if self.profile == "wage":
            items = [{"member": head, "source": "住房公积金", "item": "wage", "amount": "5200.00", "as_of": d}]
            return {"items": items, "conclusion": "inconsistent",
                    "note": "核对发现申请人有稳定工资性收入（住房公积金缴存基数），与申报不一致"}
        if self.profile == "assets":
            items = [{"member": head, "source": "银行存款", "item": "financial", "amount": "268000.00", "as_of": d}]
            return {"items": items, "conclusion": "inconsistent", "note": "核对发现家庭银行存款明显超过当地规定"}
        if self.profile == "pension":
            items = [{"member": head, "source": "社保/养老金", "item": "transfer", "amount": "420.00", "as_of": d}]
            return {"items": items, "conclusion": "inconsistent",
                    "note": "核对发现申请人领取城乡居民养老金，申报时未填写，已补充"}
        return {"items": [], "conclusion": "consistent", "note": "与申报一致"}

    def _p_record_survey(self, day) -> dict:
        rng = self.w.people.rng
        data = {"date": day.isoformat(), "investigators": ["李经办", "王协理"],
                "living_conditions": rng.choice(("砖混住房两间，家电简陋", "老旧木结构住房一间，生活用品简单",
                                                 "租住小户型住房，家具陈旧")),
                "findings": rng.choice(("家庭无稳定收入来源，情况属实", "家庭收入主要靠务农，入不敷出，情况属实",
                                        "家庭成员患病，医疗支出较大，情况属实"))}
        if self.program == "tekun":
            data.update(adl_failed=rng.choice((0, 1, 2)), obligors_able=False, obligor_notes="无法定义务人或义务人无履行能力")
        return data

    def _p_initial_review(self, day) -> dict:
        if self.target == "rejected":
            return {"opinion": "deny", "note": "家庭人均收入高于当地最低生活保障标准"}
        return {"opinion": "grant", "note": "经入户调查和家庭经济状况核对，符合条件"}

    def _p_confirm(self, day) -> dict:
        data = {"meeting_date": day.isoformat(), "members_present": GROUP,
                "opinion": "经审核确认小组集体研究，同意纳入保障"}
        if self.program == "tekun":
            data["support_mode"] = self.w.people.rng.choice(("dispersed", "dispersed", "centralized"))
        return data

    def _p_reject(self, day) -> dict:
        return {"meeting_date": day.isoformat(), "members_present": GROUP,
                "reasons": ["经家庭经济状况核对，家庭月人均收入高于当地最低生活保障标准"]}

    def _p_deliver_denial(self, day) -> dict:
        return {"date": day.isoformat(), "method": "in_person", "note": "当面送达，申请人签收"}

    def _p_request_materials(self, day) -> dict:
        return {"missing": ["户口簿复印件", "家庭成员残疾证或病历证明"]}

    def _p_record_objection(self, day) -> dict:
        return {"content": "反映申请人子女在外务工、收入较高，请求复查", "objector": "村民（匿名）"}

    def _p_notify_ineligible(self, day) -> dict:
        return {"reason": "经家庭经济状况核对，家庭金融资产超过当地规定的财产条件，不符合申请条件"}

    def _p_withdraw(self, day) -> dict:
        return {"reason": "申请人家庭成员已就业，主动申请撤回"}

    def _p_terminate(self, day) -> dict:
        return {"reason_code": "refused_cooperation", "note": "多次联系，申请人无正当理由拒绝配合入户调查"}

    @staticmethod
    def _home_visit(day) -> dict:
        return {"date": day.isoformat(), "visitors": ["赵县民政", "钱科员"], "findings": "县级抽查入户核实，情况属实"}


# (target state, day of the last step as working days before today, profile); "overdue" in a comment:
# the step's deadline has passed by today.
PLAN = {
    "dibao": [
        ("approved", 62, "plain"), ("approved", 50, "pension"), ("approved", 40, "plain"),
        ("approved", 28, "plain"), ("approved", 6, "pension"),
        ("submitted", 0, "plain"), ("submitted", 8, "plain"),  # overdue: request verification (3 wd)
        ("verifying", 1, "plain"), ("verifying", 12, "plain"),  # overdue: verification report (5 wd)
        ("verified", 1, "plain"), ("awaiting_materials", 2, "plain"), ("accepted", 1, "plain"),
        ("surveyed", 1, "plain"), ("surveyed", 9, "plain"),  # overdue: initial review (3 wd)
        ("reviewed", 0, "pension"), ("in_notice", 0, "plain"), ("disputed", 1, "plain"),
        ("awaiting_confirmation", 1, "plain"), ("awaiting_confirmation", 9, "plain"),  # overdue: confirmation
        ("rejected", 4, "wage"), ("closed_ineligible", 6, "assets"), ("withdrawn", 5, "plain"),
        ("terminated", 7, "plain"),
    ],
    "tekun": [
        ("approved", 58, "plain"), ("approved", 35, "plain"), ("approved", 15, "plain"),
        ("submitted", 0, "plain"), ("verifying", 2, "plain"), ("verified", 1, "plain"),
        ("awaiting_materials", 3, "plain"), ("accepted", 18, "plain"),  # overdue: investigation and opinion (15 wd)
        ("surveyed", 2, "plain"), ("reviewed", 1, "plain"), ("in_notice", 0, "plain"),
        ("disputed", 2, "plain"), ("awaiting_confirmation", 2, "plain"), ("rejected", 5, "wage"), ("closed_ineligible", 8, "assets"),
        ("withdrawn", 4, "plain"), ("terminated", 10, "plain"),
    ],
}


def plan_cases(world) -> list[CaseScript]:
    scripts = []
    i = 0
    for program, rows in PLAN.items():
        for target, end, profile in rows:
            village = TOWNSHIP_A_VILLAGES[i % len(TOWNSHIP_A_VILLAGES)]
            i += 1
            script = CaseScript(world, program, target, end=world.tl.back(end), village=village, profile=profile)
            script.schedule()
            scripts.append(script)
    return scripts
