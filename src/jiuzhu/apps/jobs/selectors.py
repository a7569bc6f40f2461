"""Who sees which job: administrators all; county staff their county's (and their own); everyone
else only the jobs they started. Another user's job is "not found" (404), never "forbidden"."""

from __future__ import annotations

from django.db.models import Q

from jiuzhu.apps.accounts.roles import can
from jiuzhu.apps.regions.scope import scope_q
from jiuzhu.rules.errors import NotFound

from .models import Job

PAGE_SIZE = 100


def _visible_q(actor) -> Q:
    if not (actor and getattr(actor, "is_authenticated", False) and actor.is_active):
        return Q(pk__in=[])
    if can(actor, "jobs.read_all"):
        return Q()
    own = Q(created_by_id=actor.pk)
    if can(actor, "jobs.read_region"):
        return own | scope_q(actor, "region")
    return own


def jobs_visible(*, actor, status: str = "", limit: int = PAGE_SIZE, before: int | None = None):
    qs = Job.objects.filter(_visible_q(actor)).select_related("created_by", "region").order_by("-id")
    if status in Job.Status.values:
        qs = qs.filter(status=status)
    if before:
        qs = qs.filter(pk__lt=before)
    return list(qs[:limit])


def job_get(*, actor, job_id) -> Job:
    try:
        pk = int(job_id)
    except (TypeError, ValueError):
        pk = 0
    job = (Job.objects.filter(_visible_q(actor)).select_related("created_by", "region").filter(pk=pk).first()
           if 0 < pk < 2**63 else None)
    if job is None:
        raise NotFound("not_found", "后台任务不存在或不在您的管辖范围内")
    return job


def latest_of_kind(*, actor, kind: str) -> Job | None:
    """The newest job of ``kind`` the actor may see (a page showing its last run)."""
    return Job.objects.filter(_visible_q(actor), kind=kind).select_related("created_by").order_by("-id").first()
