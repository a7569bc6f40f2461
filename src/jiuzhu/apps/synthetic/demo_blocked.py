"""Demo: one dibao application started today with the API's minimal body (no 一证一书), so the demo
shows a blocked action: its case page has 提请核对 disabled with the reason and 登记一证一书 offered,
and the township's 工作台 lists it as "等待：尚未签署委托授权书…". Submitted as the day's very last
step, so the households drawn for the other demo cases stay as they were."""

from __future__ import annotations

from datetime import datetime

from jiuzhu.apps.cases.models import Case
from jiuzhu.apps.cases.services import case_submit
from jiuzhu.apps.registry.services import household_create

from .demo_cases import TOWNSHIP_A_VILLAGES
from .demo_timeline import local_day

LAST_SLOT = 99


class MinimalIntakeScript:
    """Submitted at the window without 一证一书 (``{program, household, applicant, channel}`` only)."""

    program = "dibao"
    target = "submitted"

    def __init__(self, world, village: str):
        self.w, self.village = world, village
        self.case: Case | None = None

    def schedule(self) -> None:
        self.w.tl.add(self.w.tl.back(0), self._submit, "dibao:minimal_intake:submit", slot=LAST_SLOT)

    def _submit(self, at: datetime) -> None:
        w = self.w
        data = w.people.applicant_household(self.program, self.village, w.region_names[self.village])
        township = w.users["township"]
        household = household_create(actor=township, data=data, as_of=local_day(at))
        self.case = case_submit(actor=township, program=self.program, household_id=household.pk,
                                applicant_id=household.head_id, channel="window", payload={}, now=at)


def schedule_blocked(world) -> MinimalIntakeScript:
    script = MinimalIntakeScript(world, TOWNSHIP_A_VILLAGES[1])
    script.schedule()
    return script
