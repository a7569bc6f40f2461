"""Demo people: valid, unique ID numbers (none already in the registry), Chinese names, bank accounts,
and the households that apply in the demo's cases (registered through ``household_create``)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from jiuzhu.apps.registry.models import Person
from jiuzhu.core.crypto import keyring
from jiuzhu.rules import idcard

from .names import GIVEN_FEMALE, GIVEN_MALE, SURNAME_WEIGHTS, SURNAMES
from .seed import BANKS

COUNTY_PREFIX = "330127"
STREETS = ("环湖北路", "新安东路", "青溪路", "梦姑路", "开发路", "千岛湖大道", "排岭南路")


def is_rural(village: str) -> bool:
    """Demo village codes: 2xx = 村 (rural), 0xx = 社区 (urban)."""
    return village[9] == "2"


class People:
    def __init__(self, seed: int, today: date):
        self.rng = random.Random(seed)
        self.today = today
        self._ring = keyring()
        self._taken = set(Person.objects.values_list("id_number_bidx", flat=True))
        self._accounts = 0

    def name(self, sex: str, surname: str | None = None) -> str:
        rng = self.rng
        surname = surname or rng.choices(SURNAMES, SURNAME_WEIGHTS)[0]
        pool = GIVEN_MALE if sex == "M" else GIVEN_FEMALE
        return surname + "".join(rng.choice(pool) for _ in range(rng.choice((1, 2, 2))))

    def surname(self) -> str:
        return self.rng.choices(SURNAMES, SURNAME_WEIGHTS)[0]

    def id_number(self, age: int, sex: str) -> str:
        """A valid ID number for someone ``age`` years old, not in the registry nor handed out before."""
        while True:
            born = self.today - timedelta(days=age * 365 + self.rng.randrange(20, 340))
            number = idcard.make(COUNTY_PREFIX, born, self.rng.randrange(0, 500) * 2 + (1 if sex == "M" else 0))
            bidx = self._ring.blind_index(number, purpose="id_number")
            if bidx not in self._taken:
                self._taken.add(bidx)
                return number

    def account(self) -> tuple[str, str]:
        """(account number, bank): 19 digits, unique within the demo."""
        self._accounts += 1
        return f"6228{self.rng.randrange(10**9):09d}{self._accounts:06d}", self.rng.choice(BANKS)

    def phone(self) -> str:
        return f"1{self.rng.choice('3578')}{self.rng.randrange(10**9):09d}"

    def address(self, village_name: str) -> str:
        if village_name.endswith("村"):
            return f"{village_name}{self.rng.randint(1, 120)}号"
        return f"{self.rng.choice(STREETS)}{self.rng.randint(1, 300)}号"

    # --- households of the demo's applications ------------------------------------------------------
    def member(self, relation: str, age: int, sex: str, surname: str | None = None, **extra) -> dict:
        data = {"name": self.name(sex, surname), "id_number": self.id_number(age, sex), "relation": relation}
        if relation == "head" and age >= 18:
            data["phone"] = self.phone()
        return {**data, **extra}

    def applicant_household(self, program: str, village: str, village_name: str, *, bank: bool = True) -> dict:
        """Household data for ``household_create``: a single elder for tekun; for dibao an elderly couple,
        a single parent with children, a household with a severely disabled member, or an elder alone."""
        rng = self.rng
        surname = self.surname()
        if program == "tekun":
            sex = rng.choice("MF")
            extra = {"disability_kind": "physical", "disability_grade": 2} if rng.random() < 0.3 else {}
            members = [self.member("head", rng.randint(66, 88), sex, surname, health="chronic", **extra)]
        else:
            kind = rng.choice(("old_couple", "single_parent", "disabled", "elder"))
            if kind == "old_couple":
                age = rng.randint(63, 80)
                members = [self.member("head", age, "M", surname, health="chronic"),
                           self.member("spouse", age - rng.randint(0, 4), "F")]
            elif kind == "single_parent":
                age = rng.randint(30, 45)
                members = [self.member("head", age, "F", surname, health="serious")]
                members += [self.member("child", rng.randint(3, 15), rng.choice("MF"), surname)
                            for _ in range(rng.randint(1, 2))]
            elif kind == "disabled":
                age = rng.randint(52, 62)
                members = [self.member("head", age, "M", surname, disability_kind="physical", disability_grade=1),
                           self.member("spouse", age - 2, "F", health="chronic"),
                           self.member("child", rng.randint(19, 26), rng.choice("MF"), surname,
                                       disability_kind="intellectual", disability_grade=2)]
            else:
                members = [self.member("head", rng.randint(70, 86), rng.choice("MF"), surname, health="chronic")]
        data = {"region_code": village, "residence_region_code": village,
                "area_type": "rural" if is_rural(village) else "urban", "address": self.address(village_name),
                "members": members}
        if bank:
            data["bank_account"], data["bank_name"] = self.account()
        return data
