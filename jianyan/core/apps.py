from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "jianyan.core"
    label = "core"
    verbose_name = "核心"

    def ready(self):
        # Connect the receivers: audit of logins and admin changes, and the second-factor decision at login.
        from jianyan.core import otp, security  # noqa: F401
