"""Links of a temporary-assistance follow-up suggestion (issue 14 §3): one click opens the dibao or 特困
application form of the household with what is known already (apps/programs/temporary_followup.py)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse


def with_links(suggestion: dict | None, household_id: int) -> dict | None:
    if suggestion is None:
        return None
    prefill = suggestion["prefill"]
    links = [{"program": program, "label": f"申请{label}",
              "url": reverse("web:case_new", args=[household_id]) + "?" + urlencode(
                  {"program": program, "applicant": prefill["applicant"], "note": prefill["note"]})}
             for program, label in prefill["programs"]]
    return {**suggestion, "links": links}
