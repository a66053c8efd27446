"""URL map of the whole site."""

from django.contrib import admin
from django.urls import include, path

from lumbar.web.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("robots.txt", core_views.robots_txt, name="robots-txt"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("", include("lumbar.web.library.urls")),
    path("", include("lumbar.web.accounts.urls")),
    path("", include("lumbar.web.onboarding.urls")),
    path("", include("lumbar.web.care.urls")),
    path("", include("lumbar.web.formcheck.urls")),
    path("", include("lumbar.web.outcomes.urls")),
    path("", include("lumbar.web.outputs.urls")),
    path("", include("lumbar.web.clinic.urls")),
    path("", include("lumbar.web.api.urls")),  # /api/v1/ and the settings page's access tokens
    path("admin/", admin.site.urls),
]

# A full disk or a read-only database answers a friendly 503 instead of the 500 page.
handler500 = "lumbar.web.security.failures.server_error"
