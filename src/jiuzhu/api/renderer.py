"""One time-zone style for the whole API: every datetime leaves in Beijing time with its offset
(``2026-12-07T10:00:00+08:00``), whatever the code handed over (UTC from the database, local time)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder


class LocalTimeEncoder(NinjaJSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, datetime) and timezone.is_aware(o):
            o = timezone.localtime(o)
        return super().default(o)


class LocalTimeRenderer(JSONRenderer):
    encoder_class = LocalTimeEncoder
