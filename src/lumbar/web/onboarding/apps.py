from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "lumbar.web.onboarding"
    verbose_name = "Onboarding: the red-flag screen and the intake"
