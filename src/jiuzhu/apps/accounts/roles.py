"""Roles. What each may do is the permission matrix in ``permissions``."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    VILLAGE = "village_assistant", "村(居)协理员"
    CASEWORKER = "township_caseworker", "乡镇经办人"
    REVIEWER = "township_reviewer", "乡镇审核确认小组成员"
    COUNTY = "county_staff", "县民政"
    INSPECTOR = "inspector", "纪检监督"
    ADMIN = "admin", "系统管理员"


def can(actor, permission: str) -> bool:
    """Does ``actor`` hold ``permission`` (a name of the matrix in ``permissions``)?"""
    from .permissions import has_permission

    return has_permission(actor, permission)
