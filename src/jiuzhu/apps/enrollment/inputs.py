"""What each enrollment change accepts (one pydantic model per kind). The services validate with
these; the web forms are built from them (titles are the Chinese field labels)."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from jiuzhu.rules.workflow.states import GRADUATION_REASONS


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


REASON = Field(title="变更理由", min_length=1, max_length=2000)
LEGAL_GROUND = Field("", title="法律依据", max_length=300, description="留空则采用默认依据")


class ChangeInput(_Input):
    reason: str = REASON
    legal_ground: str = LEGAL_GROUND


class AdjustInput(_Input):
    amount: Decimal = Field(title="调整后月保障金(元)", gt=0, max_digits=14, decimal_places=2)
    klass: Literal["A", "B", "C", "D"] | None = Field(None, title="分类")
    reason: str = REASON
    legal_ground: str = LEGAL_GROUND


class GraduateInput(_Input):
    graduation_reason: Literal[tuple(GRADUATION_REASONS)] = Field(title="渐退原因")  # type: ignore[valid-type]
    reason: str = REASON
    legal_ground: str = LEGAL_GROUND


class ScheduleInput(_Input):
    reason: str = Field(title="复核原因", min_length=1, max_length=500)


INPUTS: dict[str, type[BaseModel]] = {
    "adjust": AdjustInput,
    "suspend": ChangeInput,
    "resume": ChangeInput,
    "stop": ChangeInput,
    "graduate": GraduateInput,
}
