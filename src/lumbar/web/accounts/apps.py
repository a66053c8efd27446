from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "lumbar.web.accounts"
    verbose_name = "Accounts: sign-up, sign-in, settings, export and deletion"
