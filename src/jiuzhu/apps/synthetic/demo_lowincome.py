"""The demo county's 低收入和支出型贫困家庭认定 (issue 20 §8): one recognition started by the township
caseworker from the 主动发现 list (a household that left dibao or whose application was refused), left at
已提交 so the browser walk continues it (核对, 受理, 入户调查, 认定意见, 公示, 认定)."""

from __future__ import annotations

from django.utils import timezone

from jiuzhu.apps.accounts.models import User
from jiuzhu.apps.cases.models import Case
from jiuzhu.apps.lowincome.selectors import discovery
from jiuzhu.apps.lowincome.services import lowincome_start
from jiuzhu.rules.errors import DomainError
from jiuzhu.rules.workflow.lowincome import LOWINC

CASEWORKER = "township"


def demo_lowincome_load() -> Case | None:
    """Start the demo's recognition once; None when there is one already or nothing to discover."""
    actor = User.objects.filter(username=CASEWORKER).first()
    if actor is None or Case.objects.filter(program=LOWINC).exists():
        return None
    for found in discovery(actor=actor, today=timezone.localdate()):
        try:
            return lowincome_start(actor=actor, household_id=found["household"].pk,
                                   applicant_id=found["applicant_id"], source=found["source"],
                                   source_note=found["ref"][:200], now=timezone.now(),
                                   payload={"id_checked": True, "authorization_signed": True})
        except DomainError:  # e.g. a member in another open case: try the next household
            continue
    return None
