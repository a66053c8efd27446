from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "lumbar.web.library"
    label = "library"
    verbose_name = "Exercise library and lessons"
