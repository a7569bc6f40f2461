"""The running annual review (年审): the county starts it (``review_start``: a recheck case for every
live enrollment of the county, bulk); township A's caseworker walks a few rechecks through 核对, 入户调查
and the opinion, and its review group decides them; one stops at the survey; the rest stay scheduled."""

from __future__ import annotations

from datetime import datetime, timedelta

from jiuzhu.apps.cases.models import Case
from jiuzhu.apps.cases.services import case_act
from jiuzhu.apps.regions.codes import subtree_range
from jiuzhu.apps.reviews.services import review_start
from jiuzhu.rules.errors import ValidationFailed

from .demo_timeline import local_day

TOWNSHIP_A = "330127100000"
SURVEY = {"investigators": ["李经办", "王协理"], "living_conditions": "住房及生活状况与上次复核时相比无明显变化",
          "findings": "家庭成员及收入情况无明显变化"}
STEPS = (("township", "request_verification"), ("county", "record_verification"), ("township", "record_survey"),
         ("township", "recheck_review"), ("township_lead", "decide"))
# (program, steps done) of each walked recheck: 5 = decided, 3 = verified and surveyed (opinion pending)
RECHECKS = (("dibao", 5), ("tekun", 5), ("dibao", 5), ("dibao", 3))


class RecheckWalk:
    def __init__(self, world, program: str):
        self.w, self.program = world, program
        self.case = None

    def _pick(self) -> Case:
        """A scheduled recheck of the campaign in township A of the program (oldest enrollment first)."""
        low, high = subtree_range(TOWNSHIP_A)
        open_here = Case.objects.filter(campaign=self.w.result["campaign"], state="scheduled", region_id__gte=low,
                                        region_id__lte=high).order_by("enrollment_id")
        return open_here.filter(program=self.program).first() or open_here.first()

    def run_step(self, k: int, at: datetime) -> None:
        if k == 0:
            self.case = self._pick()
        actor, action = STEPS[k]
        day = local_day(at).isoformat()
        payload = {}
        if action == "record_verification":
            payload = {"items": [], "conclusion": "consistent", "note": "与上次认定时一致"}
        elif action == "record_survey":
            payload = {**SURVEY, "date": day}
            if self.case.program == "tekun":
                payload.update(adl_failed=2, obligors_able=False, obligor_notes="无法定义务人")
        elif action == "recheck_review":
            self.case = self._opinion(at)
            return
        elif action == "decide":
            outcome = Case.objects.get(pk=self.case.pk).decided_status
            payload = {"outcome": outcome, "reason": "经入户调查和家庭经济状况核对，作出复核决定", "meeting_date": day}
        self.case = case_act(actor=self.w.users[actor], case_id=self.case.pk, action=action, payload=payload, now=at)

    def _opinion(self, at: datetime) -> Case:
        """The opinion the rules engine suggests (continue, adjust or stop): the first one it accepts
        without a written reason; if none, continue with the caseworker's reason."""
        user = self.w.users["township"]
        for outcome in ("continue", "adjust"):
            try:
                return case_act(actor=user, case_id=self.case.pk, action="recheck_review", now=at,
                                payload={"outcome": outcome, "note": "年审复核"})
            except ValidationFailed as exc:
                if exc.code not in ("case.override_reason", "recheck.unchanged"):
                    raise
        return case_act(actor=user, case_id=self.case.pk, action="recheck_review", now=at,
                        payload={"outcome": "continue", "note": "年审复核",
                                 "override_reason": "入户调查核实家庭情况无明显变化，维持原保障"})


def schedule_review(world, *, start_day) -> None:
    """Start the county's review on ``start_day``; walk the rechecks on the working days after it."""
    tl = world.tl

    def start(at: datetime):
        world.result["campaign"], _ = review_start(actor=world.users["county"], region_code=world.county,
                                                   year=local_day(at).year, now=at)
    tl.add(start_day, start, "review_start", slot=70)
    for i, (program, steps) in enumerate(RECHECKS):
        walk = RecheckWalk(world, program)
        for k in range(steps):  # step k of walk i: 1 + 2k + i working days after the start
            day = _after(tl, start_day, 1 + 2 * k + i)
            tl.add(day, lambda at, walk=walk, k=k: walk.run_step(k, at), f"recheck:{i}:{k}", slot=71 + k)


def _after(tl, day, n: int):
    for _ in range(n):
        day = tl.workday_on_or_after(day + timedelta(days=1))
    return tl.past(day)
