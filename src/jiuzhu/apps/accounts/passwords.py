"""Password complexity on top of Django's validators (issue 18 §6): at least three of four character
classes (upper case, lower case, digits, other) and no run of one character longer than three
(``aaaaaaaaaaaa`` is refused). Used by every path that sets a password (``validate_password``)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

CLASSES = (("大写字母", re.compile(r"[A-Z]")), ("小写字母", re.compile(r"[a-z]")), ("数字", re.compile(r"[0-9]")),
           ("其他符号", re.compile(r"[^A-Za-z0-9]")))


class ComplexityValidator:
    def __init__(self, min_classes: int = 3, max_run: int = 3):
        self.min_classes, self.max_run = min_classes, max_run

    def validate(self, password: str, user=None) -> None:
        found = [name for name, pattern in CLASSES if pattern.search(password or "")]
        errors = []
        if len(found) < self.min_classes:
            errors.append(ValidationError(
                f"密码至少应包含大写字母、小写字母、数字、其他符号中的 {self.min_classes} 类（现有 {len(found)} 类）。",
                code="password_too_simple"))
        if re.search(r"(.)\1{" + str(self.max_run) + ",}", password or "", re.DOTALL):
            errors.append(ValidationError(f"密码不能有超过 {self.max_run} 个连续相同的字符。",
                                          code="password_repeated_characters"))
        if errors:
            raise ValidationError(errors)

    def get_help_text(self) -> str:
        return (f"密码至少包含大写字母、小写字母、数字、其他符号中的 {self.min_classes} 类，"
                f"且不能有超过 {self.max_run} 个连续相同的字符。")
