from django.contrib.auth import views as auth_views
from django.urls import path

from lumbar.web.accounts import views
from lumbar.web.security.views import ThrottledPasswordResetView

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("signup/", views.signup, name="signup"),
    path("signup/confirm/<str:token>/", views.signup_confirm, name="signup-confirm"),
    path("settings/", views.settings_page, name="settings"),
    path("settings/calendar/new-link/", views.new_calendar_link, name="calendar-new-link"),
    path("settings/export.json", views.export_data, name="export-data"),
    path("settings/delete/", views.delete_account, name="delete-account"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar-feed"),
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
