"""Reads for the standard adjustment page: the changes of the actor's region (county staff)."""

from __future__ import annotations

from jiuzhu.apps.regions.scope import scope_filter

from .models_standard import StandardChange


def changes_visible(*, actor, limit: int = 100) -> list[StandardChange]:
    return list(scope_filter(StandardChange.objects.select_related("region", "prepared_by", "approved_by"), actor)
                .order_by("-start_date", "-pk")[:limit])
