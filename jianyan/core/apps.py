from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "jianyan.core"
    label = "core"
    verbose_name = "核心"
