"""Synthetic households for demos and benchmarks: valid ID numbers, plausible ages, incomes and assets.

Bulk path: rows are built in Python and written with executemany in large batches (no per-row ORM),
primary keys pre-allocated, personal data sealed exactly as the services do.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from jiuzhu.apps.audit.services import audit_record
from jiuzhu.apps.regions.codes import subtree_range
from jiuzhu.apps.regions.models import Region
from jiuzhu.apps.registry.models import Household, Membership, Person
from jiuzhu.core.crypto import keyring
from jiuzhu.rules import idcard
from jiuzhu.rules.errors import ValidationFailed

from .names import GIVEN_FEMALE, GIVEN_MALE, SURNAME_WEIGHTS, SURNAMES

OTHER_PREFIXES = ("330102", "330106", "330182", "340103", "360102", "510104", "330881")
DISABILITY_KINDS = ("physical", "intellectual", "mental", "visual", "hearing", "speech", "multiple")
BANKS = ("中国农业银行淳安支行", "浙江农商银行", "中国邮政储蓄银行", "中国工商银行", "中国建设银行")


class _Gen:
    def __init__(self, rng: random.Random, today: date, used: set[str]):
        self.rng, self.today, self.used = rng, today, used

    def name(self, sex: str, surname: str | None = None) -> str:
        rng = self.rng
        surname = surname or rng.choices(SURNAMES, SURNAME_WEIGHTS)[0]
        pool = GIVEN_MALE if sex == "M" else GIVEN_FEMALE
        return surname + "".join(rng.choice(pool) for _ in range(rng.choice((1, 2, 2))))

    def id_number(self, prefix: str, age: int, sex: str) -> tuple[str, date]:
        rng = self.rng
        while True:
            born = self.today - timedelta(days=age * 365 + rng.randrange(365))
            seq = rng.randrange(0, 500) * 2 + (1 if sex == "M" else 0)
            number = idcard.make(prefix, born, seq)
            if number not in self.used:
                self.used.add(number)
                return number, born

    def money(self, low: int, high: int, p_zero: float = 0.0) -> Decimal:
        if self.rng.random() < p_zero:
            return Decimal("0.00")
        return Decimal(self.rng.randrange(low * 100, high * 100)) / 100


def _composition(rng: random.Random) -> list[tuple[str, int, str | None]]:
    """(relation, age, sex or None) for each member; head first."""
    kind = rng.choices(("single_old", "old_couple", "family", "three_gen", "single_parent", "single_adult"),
                       (18, 14, 34, 18, 9, 7))[0]
    if kind == "single_old":
        return [("head", rng.randint(60, 92), None)]
    if kind == "old_couple":
        a = rng.randint(60, 88)
        return [("head", a, "M"), ("spouse", max(55, a - rng.randint(0, 5)), "F")]
    if kind == "single_adult":
        return [("head", rng.randint(20, 59), None)]
    if kind == "single_parent":
        a = rng.randint(28, 50)
        return [("head", a, None)] + [("child", rng.randint(1, min(a - 20, 17)), None) for _ in range(rng.randint(1, 2))]
    a = rng.randint(26, 55)
    members = [("head", a, "M"), ("spouse", max(22, a - rng.randint(-2, 5)), "F")]
    members += [("child", rng.randint(0, max(0, min(a - 22, 25))), None) for _ in range(rng.randint(1, 3))]
    if kind == "three_gen":
        members += [("parent", min(95, a + rng.randint(22, 32)), None) for _ in range(rng.randint(1, 2))]
    return members


def seed_households(n: int, *, region_code: str, seed: int | None = None, progress: bool = True,
                    as_of: date | None = None, batch: int = 5000) -> int:
    """Add ``n`` households spread over the villages under ``region_code``. Returns the count added."""
    if n < 1:
        raise ValidationFailed("seed.count", "户数必须为正整数", field="households")
    lo, hi = subtree_range(region_code)
    villages = list(Region.objects.filter(level=5, code__gte=lo, code__lte=hi).values_list("code", flat=True))
    if not villages:
        raise ValidationFailed("seed.region", f"区划 {region_code} 下没有村(居)，请先导入行政区划", field="region")
    today = as_of or timezone.localdate()
    rng = random.Random(seed)
    ring = keyring()
    used: set[str] = set()
    gen = _Gen(rng, today, used)
    now = timezone.now()
    bar = _progress(progress, n)
    added = 0
    with transaction.atomic():
        p_next = (Person.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
        h_next = (Household.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
        m_next = (Membership.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
        if p_next > 1:
            used |= _existing_numbers()
        while added < n:
            size = min(batch, n - added)
            persons, households, memberships = [], [], []
            for _ in range(size):
                village = rng.choice(villages)
                county = village[:6]
                rural = village[9] == "2"
                residence = village if rng.random() > 0.06 else rng.choice(villages)
                comp = _composition(rng)
                surname = rng.choices(SURNAMES, SURNAME_WEIGHTS)[0]
                head_id = p_next
                head_name = ""
                for relation, age, sex in comp:
                    sex = sex or rng.choice("MF")
                    prefix = county if rng.random() > 0.08 else rng.choice(OTHER_PREFIXES)
                    number, born = gen.id_number(prefix, age, sex)
                    name = gen.name(sex, surname if relation in ("head", "child") else None)
                    head_name = head_name or name
                    disabled = rng.random() < 0.07
                    kind = rng.choice(DISABILITY_KINDS) if disabled else "none"
                    grade = rng.choices((1, 2, 3, 4), (2, 3, 3, 2))[0] if disabled else 0
                    health = rng.choices(("healthy", "chronic", "serious"), (80, 16, 4))[0]
                    working = 18 <= age < 60 and not (disabled and grade <= 2)
                    employment = ("preschool" if age < 6 else "student" if age < 18 else
                                  "retired" if age >= 60 else rng.choice(("employed", "flexible", "farming", "unemployed"))
                                  if working else "none")
                    wage = gen.money(800, 4800, 0.35) if working else Decimal("0.00")
                    pension = gen.money(180, 2600) if age >= 60 else Decimal("0.00")
                    phone = f"1{rng.choice('3578')}{rng.randrange(10**9):09d}" if age >= 18 and rng.random() < 0.8 else ""
                    persons.append((
                        p_next, name, ring.encrypt(number, purpose="id_number"), ring.blind_index(number, purpose="id_number"),
                        idcard.mask(number), born, sex, ring.encrypt(phone, purpose="phone") if phone else "", idcard.mask(phone) if phone else "",
                        village, kind, grade, health, employment, wage,
                        gen.money(200, 2500, 0.75) if working and rural else Decimal("0.00"),
                        gen.money(50, 600, 0.9), pension, now, now,
                    ))
                    memberships.append((m_next, h_next, p_next, relation, residence == village or rng.random() < 0.5,
                                        today - timedelta(days=rng.randrange(30, 3650)), None, "", ""))
                    p_next += 1
                    m_next += 1
                bank = f"62{rng.randrange(10**16):016d}" if rng.random() < 0.85 else ""
                cars = rng.choices((0, 1, 2), (80, 18, 2))[0]
                households.append((
                    h_next, village, residence, "rural" if rural else "urban", f"{rng.randint(1, 199)}号",
                    head_id, head_name, len(comp), ring.encrypt(bank, purpose="bank_account") if bank else "", idcard.mask(bank) if bank else "",
                    rng.choice(BANKS) if bank else "", gen.money(0, 60000, 0.3), cars,
                    gen.money(8000, 150000) if cars else Decimal("0.00"), rng.choices((0, 1, 2), (10, 80, 10))[0],
                    gen.money(10000, 500000, 0.95), 1, now, now,
                ))
                h_next += 1
            _insert(households, persons, memberships)
            added += size
            bar(size)
        _reset_sequences()
        audit_record(actor=None, action="registry.seed", subject_type="household", subject_id=region_code,
                     details={"households": n, "seed": seed})
    bar(0, done=True)
    return added


def _existing_numbers() -> set[str]:
    ring = keyring()
    return {ring.decrypt(enc, purpose="id_number") for enc in Person.objects.values_list("id_number_enc", flat=True).iterator(chunk_size=20000)}


def _insert(households, persons, memberships):
    p, h, m = Person._meta.db_table, Household._meta.db_table, Membership._meta.db_table
    with connection.cursor() as cur:
        cur.executemany(
            f"INSERT INTO {p} (id, name, id_number_enc, id_number_bidx, id_number_masked, birth_date, sex, phone_enc,"
            " phone_masked, hukou_region_id, disability_kind, disability_grade, health, employment, wage, business,"
            " property_income, transfer, created_at, updated_at) VALUES (" + ",".join(["%s"] * 20) + ")", persons)
        cur.executemany(
            f"INSERT INTO {h} (id, region_id, residence_region_id, area_type, address, head_id, head_name, member_count,"
            " bank_account_enc, bank_account_masked, bank_name, financial_assets, vehicle_count, max_vehicle_value,"
            " residential_properties, business_capital, version, created_at, updated_at) VALUES ("
            + ",".join(["%s"] * 19) + ")", households)
        cur.executemany(
            f"INSERT INTO {m} (id, household_id, person_id, relation, co_resident, start_date, end_date, end_reason,"
            " note) VALUES (" + ",".join(["%s"] * 9) + ")", memberships)


def _reset_sequences():
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cur:
        for model in (Person, Household, Membership):
            table = model._meta.db_table
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")


def _progress(enabled: bool, total: int):
    if not enabled:
        return lambda step, done=False: None
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    prog = Progress(TextColumn("生成家庭"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    task = prog.add_task("seed", total=total)
    prog.start()

    def advance(step, done=False):
        prog.advance(task, step)
        if done:
            prog.stop()

    return advance
