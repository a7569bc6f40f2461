"""The demo county (淳安县: 3 townships × 4 villages), demo users and a few dozen households.

The rest of the demo (cases in every state, enrollments, payroll, department data, alerts, the annual
review) is loaded by :func:`jiuzhu.apps.synthetic.demo_world.demo_world_load` through the services."""

from __future__ import annotations

import secrets
from pathlib import Path

from django.conf import settings
from django.db import transaction

from jiuzhu.apps.accounts.models import User
from jiuzhu.apps.accounts.roles import Role
from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.regions.models import Region
from jiuzhu.apps.regions.services import regions_import

DEMO_COUNTY = "330127000000"
DEMO_TOWNSHIPS = ("330127100000", "330127101000", "330127102000")
REGIONS_CSV = Path(__file__).with_name("demo_regions.csv")

# username, role, region, display name
DEMO_USERS = (
    ("village", Role.VILLAGE, "330127100201", "王协理"),
    ("township", Role.CASEWORKER, DEMO_TOWNSHIPS[0], "李经办"),
    ("township_lead", Role.REVIEWER, DEMO_TOWNSHIPS[0], "陈组长"),
    ("county", Role.COUNTY, DEMO_COUNTY, "赵县民政"),
    # the payroll checker (maker-checker: approves the batches ``county`` prepares), with its own password
    ("county_checker", Role.COUNTY, DEMO_COUNTY, "钱审核"),
    ("inspector", Role.INSPECTOR, DEMO_COUNTY, "孙纪检"),
    ("admin", Role.ADMIN, DEMO_COUNTY, "周管理员"),
)

# Posts (职务) printed with the names in timelines and documents.
DEMO_POSTS = {"village": "珍珠半岛村村(居)协理员", "township": "千岛湖镇社会救助经办人",
              "township_lead": "千岛湖镇社会救助审核确认小组成员", "county": "淳安县民政局社会救助科",
              "county_checker": "淳安县民政局社会救助科（审核）", "inspector": "淳安县纪委监委派驻纪检监察组",
              "admin": "淳安县民政局系统管理员"}

# Demo users with a password of their own (var/demo_password_<username>); the others share var/demo_password.
OWN_PASSWORD = frozenset({"county_checker"})


def demo_password(username: str | None = None) -> str:
    """A random demo password, created once and kept under var/: the shared one, or ``username``'s own."""
    name = f"demo_password_{username}" if username in OWN_PASSWORD else "demo_password"
    path = Path(settings.VAR_DIR) / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("Jz-" + secrets.token_urlsafe(9))
        path.chmod(0o600)
    return path.read_text().strip()


def demo_regions_load() -> None:
    regions_import(actor=None, text=REGIONS_CSV.read_text(encoding="utf-8"))


def demo_is_loaded() -> bool:
    return Region.objects.filter(code=DEMO_COUNTY).exists() and User.objects.filter(username="admin").exists()


def demo_users_load() -> int:
    """Create the demo users that are missing (an older demo database gains ``county_checker``)."""
    existing = set(User.objects.filter(username__in=[u for u, *_ in DEMO_USERS]).values_list("username", flat=True))
    added = 0
    for username, role, region, name in DEMO_USERS:
        if username in existing:
            continue
        user = User(username=username, role=role, region_id=region, display_name=name,
                    post=DEMO_POSTS.get(username, ""), is_staff=role == Role.ADMIN, is_superuser=role == Role.ADMIN)
        user.set_password(demo_password(username))
        with transaction.atomic():
            user.save()
            audit_record(actor=None, action="user.create", subject_type="user", subject_id=user.pk,
                         after={"username": username, "role": role, "region": region}, details={"demo": True})
        added += 1
    return added


def demo_load(*, households: int = 60) -> bool:
    """Load the demo county once. Returns False when it was already there."""
    if demo_is_loaded():
        demo_users_load()
        return False
    with transaction.atomic():
        demo_regions_load()
        demo_users_load()
    if households:
        from .seed import seed_households

        seed_households(households, region_code=DEMO_COUNTY, seed=2026, progress=False)
    return True


def demo_logins() -> list[tuple[str, str, str, str]]:
    names = dict(Region.objects.values_list("code", "name"))
    return [(u, Role(r).label, names.get(reg, reg), demo_password(u)) for u, r, reg, _ in DEMO_USERS]
