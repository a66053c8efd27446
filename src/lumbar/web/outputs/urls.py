from django.urls import path

from lumbar.web.outputs import fhir, printouts

urlpatterns = [
    path("program/handout.pdf", printouts.program_handout, name="program-handout"),
    path("progress/report.pdf", printouts.progress_report, name="progress-report"),
    path("settings/export.fhir.json", fhir.export_fhir, name="export-fhir"),
]
