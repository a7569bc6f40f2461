"""Roles and what each may do. Permissions are data, checked in services and selectors."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    VILLAGE = "village_assistant", "村(居)协理员"
    CASEWORKER = "township_caseworker", "乡镇经办人"
    REVIEWER = "township_reviewer", "乡镇审核确认小组成员"
    COUNTY = "county_staff", "县民政"
    INSPECTOR = "inspector", "纪检监督"
    ADMIN = "admin", "系统管理员"


# Who may create or change registry data (households, members).
REGISTRY_WRITERS = frozenset({Role.VILLAGE, Role.CASEWORKER, Role.COUNTY})
# Who may see full ID numbers, bank accounts and phone numbers (each view is audited).
FULL_PII_VIEWERS = frozenset({Role.CASEWORKER, Role.REVIEWER, Role.COUNTY})
# Who may read the audit log.
AUDIT_READERS = frozenset({Role.INSPECTOR, Role.ADMIN, Role.COUNTY})
# Who manages accounts and regions.
ADMINS = frozenset({Role.ADMIN})
# Who is warned when next year's holiday schedule is missing; who may import it.
CALENDAR_WATCHERS = frozenset({Role.COUNTY, Role.ADMIN})
CALENDAR_IMPORTERS = frozenset({Role.ADMIN, Role.COUNTY})


def can(actor, permission: frozenset) -> bool:
    return bool(actor and getattr(actor, "is_authenticated", False) and actor.is_active and actor.role in permission)
