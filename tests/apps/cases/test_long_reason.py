"""A long note (allowed up to 2000 characters) must not overflow the audit log's 500-character reason."""

from datetime import date

import pytest

from jiuzhu.apps.audit.models import AuditEvent

from .flow import act, submit

pytestmark = pytest.mark.django_db


def test_long_verification_note_is_kept_whole_in_the_event_and_cut_in_the_audit(people, household):
    # given a case being verified
    case = submit(people["caseworker"], household, day=date(2026, 12, 1))
    case = act(people["caseworker"], case, "request_verification", date(2026, 12, 2))
    note = "核" * 2000
    # when the county records a report with a 2000-character note
    case = act(people["county"], case, "record_verification", date(2026, 12, 3),
               {"items": [], "conclusion": "consistent", "note": note})
    # then
    event = case.events.get(action="record_verification")
    assert event.payload["note"] == note
    audit = AuditEvent.objects.get(action="case.record_verification", subject_id=str(case.pk))
    assert len(audit.reason) == 500 and audit.reason.endswith("…")
