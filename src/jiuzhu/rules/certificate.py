"""低保证 / 特困证 numbers (seed 社会救助审核确认权下放乡镇工作方案 二(二)5：确认给予最低生活保障或特困供养
待遇的，发放最低生活保障(特困供养)证).

A number is the program's letters, the issuing region's code (the county's 6 digits or the township's
9, by the region's dated parameter ``certificate.number_format``), the year of issue and a sequence of
``certificate.sequence_digits`` digits counted per program, region and year: ``DB330127202600001``.
"""

from __future__ import annotations

from .errors import ValidationFailed

PROGRAM_LETTERS = {"dibao": "DB", "tekun": "TK"}
CERTIFICATE_NAMES = {"dibao": "最低生活保障证", "tekun": "特困人员救助供养证"}
REGION_DIGITS = {"county_year_seq": 6, "township_year_seq": 9}
DEFAULT_FORMAT, DEFAULT_DIGITS = "county_year_seq", 5


def certificate_prefix(program: str, region_code: str, year: int, number_format: str = DEFAULT_FORMAT) -> str:
    """The part before the sequence; the sequence is counted per prefix."""
    if program not in PROGRAM_LETTERS:
        raise ValidationFailed("certificate.program", "救助项目无效，只有低保和特困发证", field="program")
    if number_format not in REGION_DIGITS:
        raise ValidationFailed("certificate.format", f"证号格式无效：{number_format}", field="certificate.number_format")
    if len(region_code) != 12 or not region_code.isdigit():
        raise ValidationFailed("certificate.region", "区划代码应为12位数字", field="region")
    if not 1900 <= year <= 9999:
        raise ValidationFailed("certificate.year", "发证年份无效", field="year")
    return f"{PROGRAM_LETTERS[program]}{region_code[:REGION_DIGITS[number_format]]}{year:04d}"


def certificate_number(prefix: str, sequence: int, digits: int = DEFAULT_DIGITS) -> str:
    """``prefix`` + the sequence, zero-padded; a sequence that does not fit is refused, never truncated."""
    if not 3 <= digits <= 9:
        raise ValidationFailed("certificate.digits", "证号序号位数应在3至9位之间", field="certificate.sequence_digits")
    if not 1 <= sequence < 10**digits:
        raise ValidationFailed("certificate.sequence_full", f"本年度证号序号已用完（{digits}位），请调整序号位数",
                               field="certificate.sequence_digits")
    return f"{prefix}{sequence:0{digits}d}"
