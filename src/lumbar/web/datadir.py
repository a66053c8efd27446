"""Where the embedded (SQLite) deployment keeps its files, and its generated secret."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

ENV_DATA_DIR = "LUMBAR_DATA_DIR"
DATABASE_FILE = "lumbar.sqlite3"
SECRET_FILE = "secret_key"  # noqa: S105 (a file name, not a secret)
LOCK_FILE = "lumbar.lock"
CACHE_SUBDIR = "cache/django"  # the cache every server process shares (settings CACHES)


def make_private_dir(directory: Path) -> None:
    """Create `directory` (and missing parents) readable by its owner only (mode 700, whatever the
    umask); an existing directory is left as it is."""
    missing = []
    current = directory
    while not current.exists() and current != current.parent:
        missing.append(current)
        current = current.parent
    for path in reversed(missing):
        try:
            path.mkdir(mode=0o700)
        except FileExistsError:
            continue
        path.chmod(0o700)


def data_dir() -> Path:
    """The data directory: $LUMBAR_DATA_DIR, else the platform's per-user data directory."""
    configured = os.environ.get(ENV_DATA_DIR)
    if configured:
        return Path(configured).expanduser().resolve()
    import platformdirs

    return Path(platformdirs.user_data_dir("lumbar", appauthor=False))


def secret_key(directory: Path) -> str:
    """$LUMBAR_SECRET_KEY, else a key generated once and kept (mode 600) in the data directory."""
    configured = os.environ.get("LUMBAR_SECRET_KEY")
    if configured:
        return configured
    path = directory / SECRET_FILE
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        pass
    make_private_dir(directory)
    key = secrets.token_urlsafe(50)
    # O_EXCL: if two processes start at once, the first writer wins and the other reads its key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key)
    return key
