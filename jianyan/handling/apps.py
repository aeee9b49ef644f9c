from django.apps import AppConfig


class HandlingConfig(AppConfig):
    name = "jianyan.handling"
    label = "handling"
    verbose_name = "办理"
