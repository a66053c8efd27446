"""Test settings: a throwaway data directory, fast hashing, tasks run inline."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("LUMBAR_DATA_DIR", tempfile.mkdtemp(prefix="lumbar-test-"))
os.environ.setdefault("LUMBAR_SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")

from lumbar.web.settings.base import *  # noqa: F403

STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
# The shared file cache, one folder per pytest-xdist worker, so that one worker's cache.clear() never
# empties another's (a subprocess started by a test inherits the variable and shares its folder).
CACHE_DIR = CACHE_DIR / os.environ.get("PYTEST_XDIST_WORKER", "main")  # noqa: F405
CACHES["default"]["LOCATION"] = str(CACHE_DIR)  # noqa: F405
DEBUG = False
# Hashing cost is irrelevant to what the tests check; argon2 stays the production hasher.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
WHITENOISE_AUTOREFRESH = True
