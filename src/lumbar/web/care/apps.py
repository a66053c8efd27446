from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "lumbar.web.care"
    # "care" is the records app's label (the tables' name); this app has no tables of its own.
    label = "daily_care"
    verbose_name = "Daily care: today, the program, the session player, the check-in"
