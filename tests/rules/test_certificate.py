"""低保证/特困证 numbers (seed 审核确认权下放 plan 二(二)5 发放最低生活保障(特困供养)证): region format, year,
zero-padded sequence; bad input is refused with a Chinese message naming the field."""

import pytest

from jiuzhu.rules.certificate import certificate_number, certificate_prefix
from jiuzhu.rules.errors import ValidationFailed

CASES = [
    # name, program, region, year, format, sequence, digits, expected
    ("county format", "dibao", "330127100201", 2026, "county_year_seq", 1, 5, "DB330127202600001"),
    ("township format", "dibao", "330127100201", 2026, "township_year_seq", 42, 5, "DB330127100202600042"),
    ("tekun letters", "tekun", "330127101201", 2027, "county_year_seq", 9, 4, "TK33012720270009"),
    ("largest sequence", "dibao", "330127100201", 2026, "county_year_seq", 999, 3, "DB3301272026999"),
]


@pytest.mark.parametrize(("name", "program", "region", "year", "fmt", "seq", "digits", "expected"), CASES,
                         ids=[c[0] for c in CASES])
def test_certificate_number(name, program, region, year, fmt, seq, digits, expected):
    assert certificate_number(certificate_prefix(program, region, year, fmt), seq, digits) == expected


@pytest.mark.parametrize(("args", "field"), [
    (("temporary", "330127100201", 2026, "county_year_seq"), "program"),
    (("dibao", "3301", 2026, "county_year_seq"), "region"),
    (("dibao", "330127100201", 2026, "province"), "certificate.number_format"),
    (("dibao", "330127100201", 26, "county_year_seq"), "year"),
])
def test_bad_prefix_input_is_refused(args, field):
    with pytest.raises(ValidationFailed) as err:
        certificate_prefix(*args)
    assert err.value.details["field"] == field


@pytest.mark.parametrize(("seq", "digits"), [(1000, 3), (0, 5), (1, 2), (1, 10)])
def test_a_sequence_that_does_not_fit_is_refused_never_truncated(seq, digits):
    with pytest.raises(ValidationFailed) as err:
        certificate_number("DB3301272026", seq, digits)
    assert err.value.details["field"] == "certificate.sequence_digits"
