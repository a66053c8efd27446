"""Storage for the API: personal access tokens (only a hash of each is kept) and request counts."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AccessToken(models.Model):
    """A personal access token: `lumbar_<prefix>_<secret>`. The prefix finds the row and is shown
    in the settings page; of the whole token only its SHA-256 is kept, so the database cannot give
    a working token back. A token ends when it expires, when it is revoked, or when the person's
    password changes (`auth_hash` is the account's session hash when the token was made)."""

    READ = "read"
    WRITE = "write"
    SCOPES = [(READ, "Read"), (WRITE, "Read and write")]

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=60)
    prefix = models.CharField(max_length=16, unique=True)
    digest = models.CharField(max_length=64)
    scope = models.CharField(max_length=8, choices=SCOPES, default=READ)
    auth_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}, {self.scope})"


class RateWindow(models.Model):
    """Requests counted in the current window for one caller (a token, or a signed-in browser)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=40, unique=True)
    started_at = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)
