"""Staff as applicants name them: the people a near-relative declaration (近亲属备案, R-WF-3) may name —
accounts of the application's village, its township and its county — with name and post."""

from __future__ import annotations

from .models import User


def staff_near(*, region_code: str, limit: int = 200) -> list[dict]:
    """``[{name, post}]`` of the active accounts whose region is the village ``region_code`` or above it
    (township, county), by name; an account without a display name is left out (nobody knows it)."""
    code = str(region_code or "")
    chain = {code, code[:9] + "000", code[:6] + "000000"} - {""}
    rows = (User.objects.filter(is_active=True, region_id__in=chain).exclude(display_name="")
            .order_by("display_name", "id")[:limit])
    return [{"name": u.display_name, "post": u.post or u.role_label} for u in rows]
