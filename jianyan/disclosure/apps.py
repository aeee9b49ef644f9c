from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "jianyan.disclosure"
    label = "disclosure"
    verbose_name = "提案公开"
