"""Password reset with throttling: per client address and per email address."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.views import PasswordResetView
from django.http import HttpResponse, HttpResponseRedirect

from lumbar.web.security import throttle

RESET_WINDOW = dt.timedelta(hours=1)
TOO_MANY_FROM_HERE = (
    "Too many password links were asked for from here in the last hour. Please try again later; "
    "a link already sent still works."
)


class ThrottledPasswordResetView(PasswordResetView):
    """Django's reset view, except that:

    - one client address asks for at most LUMBAR_RESET_LIMIT_PER_CLIENT links an hour; past that the
      form says so (429) and nothing is sent;
    - one email address gets at most LUMBAR_RESET_LIMIT_PER_ADDRESS emails an hour; past that the
      answer is the usual "check your email" page, so the answer still says nothing about whether the
      address has an account, and the inbox is not flooded.
    """

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        client = self.request.META.get("REMOTE_ADDR") or "unknown"
        if not throttle.allow(
            "reset-client", client, limit=settings.LUMBAR_RESET_LIMIT_PER_CLIENT, window=RESET_WINDOW
        ):
            form.add_error(None, TOO_MANY_FROM_HERE)
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        email = form.cleaned_data["email"]
        if not throttle.allow(
            "reset-address", email, limit=settings.LUMBAR_RESET_LIMIT_PER_ADDRESS, window=RESET_WINDOW
        ):
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)
