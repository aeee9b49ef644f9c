from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "jianyan.supervision"
    label = "supervision"
    verbose_name = "督办"
