from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "jianyan.api"
    label = "api"
    verbose_name = "接口"
