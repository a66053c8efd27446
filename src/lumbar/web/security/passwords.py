"""Password rules beyond Django's own (which check length, common passwords, numbers only and
likeness to the email): not only whitespace, and not made of the site's own words."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError

# Words anyone guessing a password for this site tries first.
SITE_WORDS = (
    "lumbar",
    "backpain",
    "lowbackpain",
    "physio",
    "physiotherapy",
    "physicaltherapy",
    "therapy",
    "exercise",
    "exercises",
    "password",
    "passwort",
    "letmein",
    "welcome",
)
# What must be left, in letters, once the site's words, digits and symbols are taken away.
MIN_OWN_LETTERS = 6


class NotOnlyWhitespaceValidator:
    def validate(self, password: str, user: Any = None) -> None:
        if not password.strip():
            raise ValidationError("Your password cannot be only spaces.", code="password_only_whitespace")

    def get_help_text(self) -> str:
        return "Your password cannot be only spaces."


def site_words() -> tuple[str, ...]:
    """The fixed words plus the labels of the host names this site answers to (clinic.example.org
    gives "clinic"), so a clinic's own name is not a password either."""
    words = set(SITE_WORDS)
    for host in getattr(settings, "ALLOWED_HOSTS", []):
        for label in re.split(r"[.\-]", host.lower()):
            if len(label) >= 4 and label.isalpha() and label not in {"www", "localhost", "example"}:
                words.add(label)
    return tuple(sorted(words, key=len, reverse=True))


class SiteWordsValidator:
    """Refuses a password made of the site's words with digits or symbols around them
    ("Lumbar2024!", "backpain-backpain"): fewer than six letters of its own."""

    def validate(self, password: str, user: Any = None) -> None:
        letters = re.sub(r"[^a-z]", "", password.lower())
        if not letters:
            return  # digits only or symbols only: the other validators answer that
        for word in site_words():
            letters = letters.replace(word, "")
        if len(letters) < MIN_OWN_LETTERS:
            raise ValidationError(
                "Your password is too easy to guess from this site's name. Choose words of your own.",
                code="password_site_words",
            )

    def get_help_text(self) -> str:
        return "Your password cannot be made of this site's name or words like “back pain”."
