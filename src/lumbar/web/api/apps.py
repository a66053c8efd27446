from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "lumbar.web.api"
    label = "api"
    verbose_name = "Lumbar REST API and access tokens"
