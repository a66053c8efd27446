from django.urls import path

from lumbar.web.care import views

urlpatterns = [
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
