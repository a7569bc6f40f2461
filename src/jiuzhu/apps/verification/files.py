"""Where verification files live: under ``JIUZHU_FILES_DIR/verification`` (paths in the database are
relative to ``JIUZHU_FILES_DIR``, so the directory can move)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings


def files_root() -> Path:
    return Path(settings.JIUZHU_FILES_DIR)


def relative(path: Path) -> str:
    return str(Path(path).resolve().relative_to(files_root().resolve()))


def absolute(rel: str) -> Path:
    path = (files_root() / rel).resolve()
    if files_root().resolve() not in path.parents:
        raise ValueError("path outside the files directory")
    return path
