from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "lumbar.web.care"
    label = "care"
    verbose_name = "Patient care: screening, programs, sessions, progress"
