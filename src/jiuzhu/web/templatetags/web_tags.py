from decimal import Decimal

from django import template

from jiuzhu.apps.accounts import roles
from jiuzhu.apps.cases.files import WRITERS as CASE_FILE_WRITERS
from jiuzhu.apps.cases.services import ROLE_CHANNELS

register = template.Library()

_PERMISSIONS = {
    "registry_writer": roles.REGISTRY_WRITERS,
    "pii_viewer": roles.FULL_PII_VIEWERS,
    "audit_reader": roles.AUDIT_READERS,
    "calendar_importer": roles.CALENDAR_IMPORTERS,
    "case_submitter": frozenset(ROLE_CHANNELS),
    "case_file_writer": frozenset(CASE_FILE_WRITERS),
    "data_reader": frozenset({"county_staff", "admin", "inspector"}),  # = apps.verification.selectors
    "verification_reader": frozenset({"township_caseworker", "township_reviewer", "county_staff", "inspector", "admin"}),
}


@register.filter
def may(user, permission: str) -> bool:
    """``{% if user|may:"registry_writer" %}``"""
    return roles.can(user, _PERMISSIONS[permission])


@register.filter
def get(mapping, key):
    return (mapping or {}).get(key)


@register.filter
def joinmsg(messages) -> str:
    return "；".join(messages or [])


@register.filter
def has(container, item) -> bool:
    """``{% if ids|has:att.pk %}`` — membership that also matches numbers given as text."""
    values = container or []
    return item in values or str(item) in {str(v) for v in values}


@register.filter
def yuan(value) -> str:
    """Money as two decimals (strings from JSON or Decimals)."""
    if value in (None, ""):
        return "—"
    try:
        return str(Decimal(str(value)).quantize(Decimal("0.01")))
    except (ArithmeticError, ValueError):
        return str(value)
