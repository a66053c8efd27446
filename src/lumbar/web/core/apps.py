from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "lumbar.web.core"
    label = "core"
    verbose_name = "Lumbar core"
