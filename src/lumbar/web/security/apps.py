from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "lumbar.web.security"
    label = "security"
    verbose_name = "Lumbar security and housekeeping"

    def ready(self) -> None:
        from lumbar.web.security import checks  # noqa: F401 (registers the deployment checks)
