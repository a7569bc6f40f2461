"""公示 (public notices) at /gongshi/: no login. Shows only what may be published (R-PUB):
name, household size, amount, program, village, notice dates and the objection phone; a proposed
特困 termination (R-TK-16) shows the name and the proposed termination only."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from jiuzhu.apps.programs import selectors

from .. import case_queries
from ..case_display import NOTICE_KINDS, program_label


@require_GET
def public_notices(request):
    townships = case_queries.public_townships()
    township = request.GET.get("township", "").strip()
    township = township if township in dict(townships) else ""
    villages = case_queries.public_villages(township)
    village = request.GET.get("village", "").strip()
    village = village if village in dict(villages) else ""
    rows = selectors.public_notices(region_code=village or township, today=timezone.localdate())
    notices = [{"name": r["name"], "size": r["household_size"], "amount": r["amount"],
                "termination": r["kind"] == "termination",
                "program": program_label(r["program"]), "kind": NOTICE_KINDS.get(r["kind"], r["kind"]),
                "village": r["region__name"], "starts_on": r["starts_on"], "ends_on": r["ends_on"],
                "phone": r["objection_phone"]} for r in rows]
    return render(request, "web/public_notices.html", {
        "notices": notices, "townships": townships, "villages": villages, "township": township,
        "village": village, "today": timezone.localdate(),
    })
