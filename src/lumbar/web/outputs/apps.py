from django.apps import AppConfig


class OutputsConfig(AppConfig):
    name = "lumbar.web.outputs"
    verbose_name = "Outputs: the printed handout, the progress report, the FHIR export"
