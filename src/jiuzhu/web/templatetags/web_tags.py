from django import template

from jiuzhu.apps.accounts import roles

register = template.Library()

_PERMISSIONS = {
    "registry_writer": roles.REGISTRY_WRITERS,
    "pii_viewer": roles.FULL_PII_VIEWERS,
    "audit_reader": roles.AUDIT_READERS,
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
