"""The demo county (淳安县: 3 townships × 4 villages), demo users and a few dozen households."""

from __future__ import annotations

import secrets
from pathlib import Path

from django.conf import settings
from django.db import transaction

from jiuzhu.apps.accounts.models import User
from jiuzhu.apps.accounts.roles import Role
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
    ("inspector", Role.INSPECTOR, DEMO_COUNTY, "孙纪检"),
    ("admin", Role.ADMIN, DEMO_COUNTY, "周管理员"),
)


def demo_password() -> str:
    """One random password for all demo users, created once and kept under var/."""
    path = Path(settings.VAR_DIR) / "demo_password"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("Jz-" + secrets.token_urlsafe(9))
        path.chmod(0o600)
    return path.read_text().strip()


def demo_regions_load() -> None:
    regions_import(actor=None, text=REGIONS_CSV.read_text(encoding="utf-8"))


def demo_is_loaded() -> bool:
    return Region.objects.filter(code=DEMO_COUNTY).exists() and User.objects.filter(username="admin").exists()


def demo_load(*, households: int = 60) -> bool:
    """Load the demo county once. Returns False when it was already there."""
    if demo_is_loaded():
        return False
    password = demo_password()
    with transaction.atomic():
        demo_regions_load()
        for username, role, region, name in DEMO_USERS:
            user = User(username=username, role=role, region_id=region, display_name=name,
                        is_staff=role == Role.ADMIN, is_superuser=role == Role.ADMIN)
            user.set_password(password)
            user.save()
    if households:
        from .seed import seed_households

        seed_households(households, region_code=DEMO_COUNTY, seed=2026, progress=False)
    return True


def demo_logins() -> list[tuple[str, str, str, str]]:
    password = demo_password()
    names = dict(Region.objects.values_list("code", "name"))
    return [(u, Role(r).label, names.get(reg, reg), password) for u, r, reg, _ in DEMO_USERS]
