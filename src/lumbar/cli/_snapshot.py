"""A snapshot of the validated bundled content, so that a command starts without validating it again.

Validating the content library (some 80 files against some 120 strict pydantic models, whose schemas
pydantic builds first) is most of `lumbar plan`'s start-up. The first command after any change
validates it as before and stores what the domain's loaders produced (`lumbar.domain.bundled`); the
commands after it read that back. Kept safe:

- only validated content is stored: the loaders' results, after every one of them succeeded;
- the file's name and first line carry a key over every file under `content/`, the source of
  `lumbar/domain` and `lumbar/motion` (the models and the loaders), and Lumbar's, Python's and
  pydantic's versions: any change gives a new key, and a snapshot under another key is never read;
- it lives in the user's cache folder (`LUMBAR_CACHE_DIR`, else the platform's, e.g.
  `~/.cache/lumbar`), which must belong to the user and be writable by no one else, as must the file
  (mode 600); otherwise, or on any error reading it, the content is validated as before;
- it is written to a temporary file and renamed into place, so concurrent commands read a whole
  snapshot or none;
- it is read with an unpickler that can make nothing but Lumbar's own content classes (pydantic
  models, dataclasses and enums of the content modules) and plain containers, so even a tampered file
  cannot run code.

`LUMBAR_CACHE_DIR=off` turns the snapshot off.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import io
import os
import pickle
import stat
import sys
import tempfile
from pathlib import Path

from pydantic import BaseModel

from lumbar.domain import catalog, instruments, prescription_rules, progression_rules, screening
from lumbar.domain.bundled import loaded, preload

HEADER = b"lumbar-content-snapshot/1\n"
CACHE_ENV = "LUMBAR_CACHE_DIR"

# The parts the snapshot holds: the name each loader keeps its result under, and its type.
PARTS: dict[str, type] = {
    "catalog": catalog.Catalog,
    "prescription_rules": prescription_rules.PrescriptionRules,
    "screening_rules": screening.ScreeningRules,
    "instruments": instruments.Instruments,
    "progression_rules": progression_rules.ProgressionRules,
}

# The only modules whose classes the unpickler may make.
CONTENT_MODULES = frozenset(
    {
        "lumbar.domain.catalog",
        "lumbar.domain.instruments",
        "lumbar.domain.intake",
        "lumbar.domain.prescription_rules",
        "lumbar.domain.progression_rules",
        "lumbar.domain.screening",
        "lumbar.motion.checkspec",
        "lumbar.motion.illustration",
    }
)


def use_content_snapshot() -> None:
    """Make the domain's `default_*()` loaders answer from a snapshot of validated content, validating
    the content and storing a new snapshot when there is none for the files as they are now."""
    folder = cache_dir()
    if folder is None:
        return
    path = folder / f"content-{snapshot_key()}.pickle"
    parts = read_snapshot(path)
    if parts is not None:
        preload(parts)
        return
    validated = validate_content()
    write_snapshot(path, validated)


def cache_dir() -> Path | None:
    """The user's cache folder for Lumbar, made if missing; None when it is off or not safe to use."""
    setting = os.environ.get(CACHE_ENV)
    if setting is not None and setting.strip().lower() in {"", "off", "0", "no", "false"}:
        return None
    if setting:
        folder = Path(setting)
    else:
        import platformdirs

        folder = Path(platformdirs.user_cache_dir("lumbar", appauthor=False))
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = folder.lstat()
    except OSError:
        return None
    return folder if stat.S_ISDIR(info.st_mode) and _private(info) else None


def _private(info: os.stat_result) -> bool:
    """Owned by this user and writable by no one else."""
    return info.st_uid == os.geteuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def snapshot_key() -> str:
    """A digest of everything the validated content depends on."""
    import pydantic

    from lumbar import __version__

    digest = hashlib.sha256()
    for part in (__version__, sys.version, pydantic.VERSION):
        digest.update(part.encode() + b"\0")
    package = Path(catalog.__file__).resolve().parent.parent
    folders = {
        "content": [path for path in catalog.CONTENT_DIR.rglob("*") if path.is_file()],
        "domain": list((package / "domain").glob("*.py")),
        "motion": list((package / "motion").glob("*.py")),
    }
    for name, paths in folders.items():
        root = catalog.CONTENT_DIR if name == "content" else package / name
        for path in sorted(paths):
            digest.update(f"{name}/{path.relative_to(root).as_posix()}".encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:32]


def validate_content() -> dict[str, object]:
    """Validate every part through its loader, as a command without a snapshot would."""
    catalog.default_catalog()
    prescription_rules.default_rules()
    screening.default_rules()
    instruments.default_instruments()
    progression_rules.default_rules()
    parts = loaded()
    return {name: parts[name] for name in PARTS}


class _ContentUnpickler(pickle.Unpickler):
    """Makes Lumbar's content classes and nothing else: no functions, no other module's classes."""

    def find_class(self, module: str, name: str) -> type:
        found = getattr(sys.modules.get(module), name, None) if module in CONTENT_MODULES else None
        if isinstance(found, type) and (
            issubclass(found, BaseModel | enum.Enum) or dataclasses.is_dataclass(found)
        ):
            return found
        raise pickle.UnpicklingError(f"not a content class: {module}.{name}")


def read_snapshot(path: Path) -> dict[str, object] | None:
    """The parts stored under `path`, or None when there is no whole, private, matching snapshot."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as file:
            info = os.fstat(file.fileno())
            if not (stat.S_ISREG(info.st_mode) and _private(info)):
                return None
            data = file.read()
        key = path.stem.removeprefix("content-").encode()
        head = HEADER + key + b"\n"
        if not data.startswith(head):
            return None
        parts = _ContentUnpickler(io.BytesIO(data[len(head) :])).load()
    except Exception:  # a damaged snapshot only means validating again
        return None
    if not isinstance(parts, dict) or parts.keys() != PARTS.keys():
        return None
    if not all(isinstance(parts[name], kind) for name, kind in PARTS.items()):
        return None
    return parts


def write_snapshot(path: Path, parts: dict[str, object]) -> None:
    """Store the parts under `path` whole or not at all, and drop older snapshots beside it."""
    key = path.stem.removeprefix("content-").encode()
    try:
        data = HEADER + key + b"\n" + pickle.dumps(parts, protocol=pickle.HIGHEST_PROTOCOL)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".content-", suffix=".tmp")
    except Exception:  # a snapshot that cannot be stored only means validating next time too
        return
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
        Path(temporary).replace(path)
    except OSError:
        Path(temporary).unlink(missing_ok=True)
        return
    for old in path.parent.glob("content-*.pickle"):
        if old.name != path.name:
            old.unlink(missing_ok=True)
