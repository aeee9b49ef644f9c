from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "jianyan.portal"
    label = "portal"
    verbose_name = "门户"
