from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "lumbar.web.outcomes"
    verbose_name = "Outcomes: progress, scores and reassessment"
