"""rules.idcard: GB 11643-1999 resident ID numbers."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jiuzhu.rules import idcard
from jiuzhu.rules.errors import ValidationFailed

# A published sample number (check character X) and a few built ones.
X_NUMBER = "11010519491231002X"


@pytest.mark.parametrize(
    "case, raw, sex, born",
    [
        ("check character X", X_NUMBER, "F", date(1949, 12, 31)),
        ("lower-case x is normalized", X_NUMBER.lower(), "F", date(1949, 12, 31)),
        ("surrounding spaces", f"  {idcard.make('330127', date(1965, 3, 8), 11)} ", "M", date(1965, 3, 8)),
        ("odd sequence is male", idcard.make("330127", date(1970, 5, 17), 123), "M", date(1970, 5, 17)),
        ("even sequence is female", idcard.make("110105", date(2000, 2, 29), 124), "F", date(2000, 2, 29)),
        ("leap day", idcard.make("440305", date(1996, 2, 29), 1), "M", date(1996, 2, 29)),
    ],
)
def test_parse_valid(case, raw, sex, born):
    # given a valid number
    # when it is parsed
    parsed = idcard.parse(raw, as_of=date(2026, 11, 30))
    # then sex and birth date are derived from it
    assert parsed.sex == sex, case
    assert parsed.birth_date == born, case
    assert parsed.value == idcard.normalize(raw)
    assert parsed.region_prefix == parsed.value[:6]


def _with_check(first17: str) -> str:
    return first17 + idcard.check_char(first17)


@pytest.mark.parametrize(
    "case, raw, code",
    [
        ("wrong check digit", X_NUMBER[:-1] + "1", "id_number.check_digit"),
        ("X where a digit is due", _with_check("33012719700517001")[:-1] + ("X" if _with_check("33012719700517001")[-1] != "X" else "0"), "id_number.check_digit"),
        ("17 characters", X_NUMBER[:17], "id_number.format"),
        ("19 characters", X_NUMBER + "1", "id_number.format"),
        ("letters inside", "1101A519491231002X", "id_number.format"),
        ("X not last", "X10105194912310021", "id_number.format"),
        ("empty", "", "id_number.format"),
        ("unknown province 99", _with_check("99010519491231002"), "id_number.region"),
        ("province 00", _with_check("00010519491231002"), "id_number.region"),
        ("impossible date 19990230", _with_check("11010519990230002"), "id_number.birth_date"),
        ("month 13", _with_check("11010519991301002"), "id_number.birth_date"),
        ("before 1900", _with_check("11010518991231002"), "id_number.birth_date"),
        ("born after as_of", _with_check("11010520261201002"), "id_number.birth_date"),
    ],
)
def test_parse_invalid(case, raw, code):
    # given a bad number
    # when it is parsed (as of 2026-11-30)
    with pytest.raises(ValidationFailed) as exc:
        idcard.parse(raw, field="members[0].id_number", as_of=date(2026, 11, 30))
    # then the error has the right code and names the field
    assert exc.value.code == code, case
    assert exc.value.details["field"] == "members[0].id_number"
    assert exc.value.message  # Chinese message for the user


def test_future_birth_date_is_fine_without_as_of_but_not_with_it():
    # given a number born on 2026-12-01
    number = _with_check("11010520261201002")
    # when parsed without/with an as_of before that date
    # then only the dated check refuses it
    assert idcard.parse(number).birth_date == date(2026, 12, 1)
    assert idcard.parse(number, as_of=date(2026, 12, 1)).birth_date == date(2026, 12, 1)
    with pytest.raises(ValidationFailed):
        idcard.parse(number, as_of=date(2026, 11, 30))


@pytest.mark.parametrize(
    "case, value, expected",
    [
        ("ID number", "110105194912310021", "1101**********0021"),
        ("ID with X", X_NUMBER, "1101**********002X"),
        ("bank account", "6228480012345678", "6228********5678"),
        ("short value fully hidden", "12345678", "********"),
        ("empty", "", ""),
    ],
)
def test_mask(case, value, expected):
    # given / when
    masked = idcard.mask(value)
    # then first 4 and last 4 stay, the middle is starred, length is kept
    assert masked == expected, case
    assert len(masked) == len(value)


def test_mask_shape_of_an_id_number():
    masked = idcard.mask(idcard.make("110105", date(1980, 1, 1), 1234))
    assert masked[:4] == "1101" and masked[4:14] == "*" * 10 and len(masked) == 18


@given(
    prefix=st.sampled_from(sorted(idcard.PROVINCE_CODES)).flatmap(
        lambda p: st.from_regex(rf"\A{p}\d{{4}}\Z", fullmatch=True)
    ),
    born=st.dates(min_value=date(1900, 1, 1), max_value=date(2026, 11, 30)),
    seq=st.integers(min_value=0, max_value=999),
)
def test_make_always_parses_back(prefix, born, seq):
    # given any province prefix, birth date and sequence
    # when a number is made
    number = idcard.make(prefix, born, seq)
    parsed = idcard.parse(number, as_of=date(2026, 11, 30))
    # then it parses back with the same birth date and the sex of the sequence
    assert parsed.value == number
    assert parsed.birth_date == born
    assert parsed.sex == ("M" if seq % 2 else "F")


@given(
    born=st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 1, 1)),
    seq=st.integers(min_value=0, max_value=999),
    wrong=st.sampled_from(list("0123456789X")),
)
def test_any_other_check_character_is_refused(born, seq, wrong):
    number = idcard.make("330127", born, seq)
    if wrong == number[-1]:
        return
    with pytest.raises(ValidationFailed) as exc:
        idcard.parse(number[:-1] + wrong)
    assert exc.value.code == "id_number.check_digit"
