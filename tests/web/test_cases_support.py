"""Shared helpers for the case UI tests (no tests here): drive a case to a state through the
services, as the named personas would, on today's date (the views read the clock too)."""

from __future__ import annotations

import struct
import zlib
from datetime import timedelta

import pytest
from django.utils import timezone

from jiuzhu.apps.cases.models import CaseDeadline, Notice
from jiuzhu.apps.cases.services import case_act, case_submit

INTAKE = {"id_checked": True, "authorization_signed": True, "economic_form_signed": True}
SURVEY = {"date": "2026-11-28", "investigators": ["王经办", "陈协理"], "living_conditions": "砖混住房两间，家电简陋",
          "findings": "家庭收入主要靠务农，情况属实"}
VERIFICATION = {"items": [], "conclusion": "consistent", "note": "与申报一致"}
MEETING = {"meeting_date": "2026-11-28", "members_present": ["周组长", "吴委员", "郑委员"], "opinion": "同意"}
# (persona, action, payload) from submitted to awaiting_confirmation; "age_notice" simulates 8 days passing.
PATH = [
    ("caseworker", "request_verification", {}),
    ("county", "record_verification", VERIFICATION),
    ("caseworker", "accept", {}),
    ("caseworker", "record_survey", SURVEY),
    ("caseworker", "initial_review", {"opinion": "grant"}),
    ("caseworker", "publish_notice", {}),
    (None, "age_notice", None),
    ("caseworker", "close_notice", {}),
]
STATE_AFTER = {"request_verification": "verifying", "record_verification": "verified", "accept": "accepted",
               "record_survey": "surveyed", "initial_review": "reviewed", "publish_notice": "in_notice",
               "close_notice": "awaiting_confirmation"}


@pytest.fixture
def people(caseworker, reviewer, county_user, village_user, outsider):
    return {"caseworker": caseworker, "reviewer": reviewer, "county": county_user, "village": village_user,
            "outsider": outsider}


def submit(actor, household, program="dibao", **intake):
    channel = "village" if actor.role == "village_assistant" else "window"
    return case_submit(actor=actor, program=program, household_id=household.pk, applicant_id=household.head_id,
                       channel=channel, payload={**INTAKE, **intake}, now=timezone.now())


def act(actor, case, action, payload=None, **kw):
    return case_act(actor=actor, case_id=case.pk, action=action, payload=payload or {}, now=timezone.now(), **kw)


def age_notice(case, days: int = 8):
    """Simulate the passage of time: move the notice period and the notice dates ``days`` back."""
    for d in CaseDeadline.objects.filter(case=case, step="notice_period"):
        CaseDeadline.objects.filter(pk=d.pk).update(starts_on=d.starts_on - timedelta(days=days),
                                                    due=d.due - timedelta(days=days))
    for n in Notice.objects.filter(case=case, kind="initial"):
        Notice.objects.filter(pk=n.pk).update(starts_on=n.starts_on - timedelta(days=days),
                                              ends_on=n.ends_on - timedelta(days=days))


def case_in(people, household, state: str, caseworker=None, **intake):
    """A fresh dibao case moved along the seed path until it is in ``state`` (``caseworker`` replaces
    the township-A caseworker, for a household of another township; ``intake`` goes to submit)."""
    people = {**people, "caseworker": caseworker or people["caseworker"]}
    case = submit(people["caseworker"], household, **intake)
    for persona, action, payload in PATH:
        if case.state == state:
            break
        if action == "age_notice":
            age_notice(case)
            continue
        case = act(people[persona], case, action, payload)
    assert case.state == state
    return case


def tiny_png(width: int = 2, height: int = 2) -> bytes:
    """A valid RGB PNG (real image bytes, so a browser can draw the thumbnail): red and white stripes."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + b"".join((b"\xb4\x23\x1f" if (x // 10) % 2 else b"\xf5\xf6\xf8") for x in range(width))
                   for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
