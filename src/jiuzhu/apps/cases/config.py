"""Per-region workflow settings, rules policy and the calendar version a deadline was computed with."""

from __future__ import annotations

from dataclasses import dataclass

from jiuzhu.apps.regions.codes import ancestors
from jiuzhu.apps.workcalendar.selectors import (
    _stamp,
    version_of,
    work_calendar,
    work_calendar_stamped,
)
from jiuzhu.rules.params.loader import available_policies
from jiuzhu.rules.workflow import WorkflowSettings

from .models import WorkflowSetting

DEFAULT_OBJECTION_PHONE = "12345"  # 政务服务便民热线, used when the region has not set its own


@dataclass(frozen=True)
class RegionConfig:
    settings: WorkflowSettings
    objection_phone: str
    policy: str
    source: str


def _nearest(region_code: str) -> WorkflowSetting | None:
    chain = [region_code, *reversed(ancestors(region_code))]
    rows = {r.region_id: r for r in WorkflowSetting.objects.filter(region_id__in=chain)}
    return next((rows[c] for c in chain if c in rows), None)


def _policy_for(region_code: str, explicit: str) -> str:
    if explicit:
        return explicit
    known = set(available_policies())
    for code in [region_code, *reversed(ancestors(region_code))]:
        if code in known:
            return code
    return "reference"


def region_config(region_code: str) -> RegionConfig:
    row = _nearest(region_code)
    if row is None:
        return RegionConfig(WorkflowSettings(), DEFAULT_OBJECTION_PHONE, _policy_for(region_code, ""),
                            "社会救助审核确认权下放乡镇工作方案（默认值）")
    return RegionConfig(settings_of(row), row.objection_phone or DEFAULT_OBJECTION_PHONE,
                        _policy_for(region_code, row.policy), row.source)


# The optional steps of the 年审 plan 三(2) (issue 20 §2–4): WorkflowSetting column = WorkflowSettings field.
OPTIONAL_STEPS = ("application_notice", "survey_resident_cadre", "hearing")


def settings_of(row: WorkflowSetting) -> WorkflowSettings:
    return WorkflowSettings(row.confirmation_level, row.verify_before_accept, row.overall_limit_wd,
                            row.overall_limit_extended_wd, dict(row.step_limits or {}),
                            **{f: bool(getattr(row, f)) for f in OPTIONAL_STEPS})


def settings_from_snapshot(data: dict) -> WorkflowSettings:
    """The settings stored on the case at submit: a case keeps its path if the region changes them
    (a case submitted before a setting existed keeps it off)."""
    return WorkflowSettings(data.get("confirmation_level", "township"), data.get("verify_before_accept", True),
                            data.get("overall_limit_wd", 20), data.get("overall_limit_extended_wd", 30),
                            dict(data.get("step_limits") or {}),
                            **{f: bool(data.get(f, False)) for f in OPTIONAL_STEPS})


def settings_snapshot(s: WorkflowSettings) -> dict:
    return {"confirmation_level": s.confirmation_level, "verify_before_accept": s.verify_before_accept,
            "overall_limit_wd": s.overall_limit_wd, "overall_limit_extended_wd": s.overall_limit_extended_wd,
            "step_limits": dict(s.step_limits), **{f: getattr(s, f) for f in OPTIONAL_STEPS}}


def calendar_version() -> str:
    """Identifies the holiday tables used: number of years loaded and the last import time."""
    return _version(_stamp())


_version = version_of


def calendar_and_version():
    """The work calendar and its version, read with one stamp query (every case action needs both)."""
    cal, stamp = work_calendar_stamped()
    return cal, _version(stamp)


def calendar():
    return work_calendar()


def region_configs(region_codes) -> dict[str, RegionConfig]:
    """``region_config`` for many regions with one query (bulk jobs: the annual review)."""
    codes = set(region_codes)
    chains = {code: [code, *reversed(ancestors(code))] for code in codes}
    wanted = {c for chain in chains.values() for c in chain}
    rows = {r.region_id: r for r in WorkflowSetting.objects.filter(region_id__in=wanted)}
    known = set(available_policies())
    out = {}
    for code, chain in chains.items():
        row = next((rows[c] for c in chain if c in rows), None)
        policy = (row.policy if row and row.policy else None) or next((c for c in chain if c in known), "reference")
        if row is None:
            out[code] = RegionConfig(WorkflowSettings(), DEFAULT_OBJECTION_PHONE, policy,
                                     "社会救助审核确认权下放乡镇工作方案（默认值）")
        else:
            out[code] = RegionConfig(
                settings_of(row),
                row.objection_phone or DEFAULT_OBJECTION_PHONE, policy, row.source)
    return out
