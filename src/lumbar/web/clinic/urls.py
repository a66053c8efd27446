from django.urls import path

from lumbar.web.clinic import joining, views

urlpatterns = [
    path("clinic/", views.caseload, name="clinic-caseload"),
    path("clinic/invites/", views.invites, name="clinic-invites"),
    path("clinic/account/", views.account, name="clinic-account"),
    path("clinic/invites/<int:invite_id>/revoke/", views.revoke_invite, name="clinic-invite-revoke"),
    path("clinic/patients/<int:patient_id>/", views.patient_record, name="clinic-patient"),
    path(
        "clinic/patients/<int:patient_id>/alerts/<int:alert_id>/",
        views.review_alert,
        name="clinic-alert-review",
    ),
    path("clinic/patients/<int:patient_id>/program/", views.program_editor, name="clinic-program"),
    path(
        "clinic/patients/<int:patient_id>/suggestions/<int:suggestion_id>/",
        views.decide_suggestion,
        name="clinic-suggestion",
    ),
    path("clinic/patients/<int:patient_id>/pain.svg", views.patient_pain_chart, name="clinic-pain-chart"),
    path("clinic/patients/<int:patient_id>/handout.pdf", views.patient_handout, name="clinic-handout"),
    path("clinic/patients/<int:patient_id>/report.pdf", views.patient_report, name="clinic-report"),
    path("clinic/patients/<int:patient_id>/fhir.json", views.patient_fhir, name="clinic-fhir"),
    path("clinic/audit/", views.audit, name="clinic-audit"),
    path("clinic/monthly.csv", views.monthly_csv, name="clinic-monthly"),
    # The patient's side.
    path("join/", joining.join, name="join"),
    path("join/<str:code>/", joining.join, name="join-code"),
    path("settings/therapist/", joining.my_therapist, name="my-therapist"),
    path("settings/therapist/unlink/", joining.unlink, name="my-therapist-unlink"),
]
