from django.apps import AppConfig


class FormCheckConfig(AppConfig):
    name = "lumbar.web.formcheck"
    # The form checks' tables are the records app's ("care"); this app has none of its own.
    label = "formcheck"
    verbose_name = "Form check: the camera coach in the session player and video uploads"
