from django.urls import path

from lumbar.web.care import onboarding, views

urlpatterns = [
    path("start/", onboarding.start, name="onboarding-start"),
    path("start/screen/<int:number>/", onboarding.screen_question, name="onboarding-screen"),
    path("start/get-help/", onboarding.stop, name="onboarding-stop"),
    path("start/get-help/seen-a-clinician/", onboarding.rescreen, name="onboarding-rescreen"),
    path("start/review/", onboarding.review, name="onboarding-review"),
    path("start/<slug:slug>/", onboarding.intake_step, name="onboarding-step"),
    path("today/", views.today, name="today"),
    path("today/alerts/seen/", views.dismiss_alerts, name="alerts-seen"),
    path("program/", views.program, name="program"),
    path("program/v<int:number>/", views.program_version, name="program-version"),
    path("session/", views.session_start, name="session-start"),
    path("session/<int:session_id>/pain-before/", views.session_pain_before, name="session-pain-before"),
    path("session/<int:session_id>/exercise/<int:number>/", views.session_exercise, name="session-exercise"),
    path("session/<int:session_id>/finish/", views.session_finish, name="session-finish"),
    path("session/<int:session_id>/done/", views.session_done, name="session-done"),
    path("checkin/", views.checkin, name="checkin"),
    path("checkin/done/", views.checkin_done, name="checkin-done"),
]

# Progress, settings, the calendar feed and password management (issue 9, part 2).
from django.contrib.auth import views as auth_views  # noqa: E402

from lumbar.web.care import account, fhir_export, progress  # noqa: E402
from lumbar.web.security.views import ThrottledPasswordResetView  # noqa: E402

urlpatterns += [
    path("signup/", account.signup, name="signup"),
    path("signup/confirm/<str:token>/", account.signup_confirm, name="signup-confirm"),
    path("progress/", progress.progress_page, name="progress"),
    path("progress/reassess/", progress.reassess, name="progress-reassess"),
    path("settings/", account.settings_page, name="settings"),
    path("settings/calendar/new-link/", account.new_calendar_link, name="calendar-new-link"),
    path("settings/export.json", account.export_data, name="export-data"),
    path("settings/export.fhir.json", fhir_export.export_fhir, name="export-fhir"),
    path("settings/delete/", account.delete_account, name="delete-account"),
    path("calendar/<str:token>.ics", account.calendar_feed, name="calendar-feed"),
    path("accounts/password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accounts/password/reset/", ThrottledPasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

# The printed handout and the progress report, as PDF (issue 18).
from lumbar.web.care import printouts  # noqa: E402

urlpatterns += [
    path("program/handout.pdf", printouts.program_handout, name="program-handout"),
    path("progress/report.pdf", printouts.progress_report, name="progress-report"),
]
