from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from jiuzhu.core.crypto import KeyError_
from jiuzhu.rules.errors import DomainError


def parse_date(value: str):
    """A YYYY-MM-DD command-line date, or exit 2 with a Chinese message naming it."""
    from datetime import date

    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"日期“{value}”格式错误，应为 YYYY-MM-DD", returncode=2) from None


class JiuzhuCommand(BaseCommand):
    """Turns DomainError into a Chinese message on stderr and exit code 2."""

    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except DomainError as exc:
            self.print_domain_error(exc)
            raise CommandError(exc.message, returncode=2) from None
        except KeyError_ as exc:  # key file missing or unreadable (PII and audit chain keys)
            raise CommandError(str(exc), returncode=2) from None

    def print_domain_error(self, exc: DomainError):
        for item in exc.details.get("errors", []):
            sys.stderr.write(f"  {item.get('message')}\n")

    def emit_json(self, data):
        self.stdout.write(json.dumps(data, ensure_ascii=False))
