"""The rules engine's proposal for a case as of today, without recording anything (the read-only
evaluate of the API and the initial-review form): the same ``propose`` the initial review stores."""

from __future__ import annotations

from datetime import date

from jiuzhu.apps.cases import config
from jiuzhu.apps.cases.selectors import case_get
from jiuzhu.rules.errors import Conflict, DomainError

from .proposal import propose
from .review import single_person_proposals


def case_evaluation(*, actor, case_id, today: date) -> tuple:
    """``(case, proposal)``: the case in the actor's scope (404 otherwise) and what the engine would propose
    on ``today`` under the region's policy. Nothing is saved; the case's state and version stay."""
    case = case_get(actor=actor, case_id=case_id)
    try:
        proposal = propose(case, policy=config.region_config(case.region_id).policy, as_of=today)
    except DomainError:
        raise
    except (ValueError, KeyError, TypeError) as exc:  # incomplete registry data the rules cannot read
        raise Conflict("case.evaluation_unavailable", "该案件的家庭数据不完整，规则引擎暂不能测算，请先补全家庭成员及收入财产信息",
                       reason=type(exc).__name__) from None
    proposal["single_persons"] = single_person_proposals(proposal["result"]) if case.program == "dibao" else []
    return case, proposal
