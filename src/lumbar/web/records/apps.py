from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "lumbar.web.records"
    # The label stays "care", the name these tables were created under, so existing databases upgrade
    # without renaming a table: every app of the site reads and writes a person's record here.
    label = "care"
    verbose_name = "Patient records: screening, intakes, programs, sessions, check-ins, scores, alerts"
