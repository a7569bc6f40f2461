"""Who a member is for the rules: age, special member, labour capacity, single-person enrollment."""

from __future__ import annotations

from datetime import date

from .model import Member
from .terms import Terms

_MENTAL = ("intellectual", "mental")


def age_on(birth_date: date, as_of: date) -> int:
    """Age in whole years (周岁) on ``as_of``; the birthday itself counts as the new year."""
    return as_of.year - birth_date.year - ((as_of.month, as_of.day) < (birth_date.month, birth_date.day))


def is_special(member: Member, as_of: date, terms: Terms) -> bool:
    """分类施保对象 (R-DB-04): elderly, minor, severely disabled, intellectual/mental 1–3, seriously ill."""
    age = age_on(member.birth_date, as_of)
    d = member.disability
    return (
        age >= terms.special_age_elderly
        or age < terms.special_age_minor
        or (d is not None and d.grade <= terms.special_disability_max_grade)
        or (d is not None and d.kind in _MENTAL and d.grade <= terms.special_mental_max_grade)
        or (terms.special_serious_illness and member.serious_illness)
    )


def without_labour_capacity(member: Member, as_of: date, terms: Terms) -> bool:
    """无劳动能力 (R-TK-02): age ≥ 60 or < 16, intellectual/mental 1–3, physical 1–2, visual 1;
    plus the provincial extension for serious illness where the policy enables it."""
    age = age_on(member.birth_date, as_of)
    d = member.disability
    return (
        age >= terms.labour_age_elderly
        or age < terms.labour_age_child
        or (d is not None and d.kind in _MENTAL and d.grade <= terms.labour_mental_max_grade)
        or (d is not None and d.kind == "physical" and d.grade <= terms.labour_physical_max_grade)
        or (d is not None and d.kind == "visual" and d.grade <= terms.labour_visual_max_grade)
        or (terms.labour_serious_illness and member.serious_illness)
    )


def labour_criteria_words(terms: Terms) -> str:
    """The 无劳动能力 criteria in force (R-TK-02 and the province's extension), with the parameter
    values, for traces: "年满60周岁或未满16周岁；智力、精神残疾1–3级；…"."""
    parts = [f"年满{terms.labour_age_elderly}周岁或未满{terms.labour_age_child}周岁",
             f"智力、精神残疾1–{terms.labour_mental_max_grade}级", f"肢体残疾1–{terms.labour_physical_max_grade}级",
             f"视力残疾1–{terms.labour_visual_max_grade}级"]
    if terms.labour_serious_illness:
        parts.append("患重病（省级扩展）")
    return "、".join(parts)


def single_person_eligible(member: Member, terms: Terms) -> bool:
    """单人户施保 in an edge household (R-HH-06): disability 1–2 of any kind, intellectual/mental 1–3,
    or serious illness."""
    d = member.disability
    return (
        (d is not None and d.grade <= terms.single_disability_max_grade)
        or (d is not None and d.kind in _MENTAL and d.grade <= terms.single_mental_max_grade)
        or (terms.single_serious_illness and member.serious_illness)
    )
