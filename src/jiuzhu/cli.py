"""The ``jiuzhu`` console command: Django management commands under the project's settings."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    from jiuzhu.core.files import private_umask

    private_umask()  # var/: keys, database, attachments, exports are 0600 in 0700 directories
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiuzhu.settings.production")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv if argv is None else argv)
    argv[0] = "jiuzhu"
    if argv[1:2] == ["check"]:
        os.environ["JIUZHU_CHECK_ONLY"] = "1"  # production settings list their problems instead of refusing
    if len(argv) == 1:
        argv.append("help")
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
