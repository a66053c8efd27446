"""Writes for the settings page: a new calendar link, and deleting the account with everything in it."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from lumbar.web.care import services
from lumbar.web.care.models import Profile, new_feed_token

# The person must type this word to delete their account (compared ignoring case and spaces).
DELETE_CONFIRMATION = "DELETE"


def new_calendar_token(user: AbstractBaseUser) -> str:
    """Replace the calendar feed's key: the old link stops working at once."""
    token = new_feed_token()
    profile, _ = Profile.objects.get_or_create(user=user)
    profile.calendar_token = token
    profile.save(update_fields=["calendar_token"])
    return token


def delete_account_and_data(user: AbstractBaseUser, confirmation: str) -> None:
    """Delete the person, everything they recorded, and the sign-in attempts kept under their name."""
    if confirmation.strip().upper() != DELETE_CONFIRMATION:
        raise services.ServiceError(f"To delete your account, type {DELETE_CONFIRMATION} in the box.")
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    username = user.get_username()
    with transaction.atomic():
        services.delete_account(user)
        for model in (AccessAttempt, AccessLog, AccessFailureLog):
            model.objects.filter(username=username).delete()
