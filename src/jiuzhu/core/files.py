"""Private files under ``var/``: directories 0700, files 0600 (keys, database, attachments, exports).

``PRIVATE_UMASK`` is set when ``jiuzhu`` or the WSGI application starts, so whatever a library creates
there (SQLite's database and WAL files, spreadsheets, PDF documents) is private too; the helpers below
also set the modes explicitly, whatever the umask of the process that calls them.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

PRIVATE_UMASK = 0o077
DIR_MODE = 0o700
FILE_MODE = 0o600


def private_umask() -> int:
    """Make files this process creates private to its user; returns the previous umask."""
    return os.umask(PRIVATE_UMASK)


def private_dir(path: str | Path) -> Path:
    """Create ``path`` (and missing parents) with mode 0700. Existing directories are left as they are."""
    path = Path(path)
    missing = []
    probe = path
    while not probe.exists():
        missing.append(probe)
        probe = probe.parent
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    for created in missing:
        os.chmod(created, DIR_MODE)
    return path


def write_private(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (temporary file, rename) with mode 0600."""
    path = Path(path)
    private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.part")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path
