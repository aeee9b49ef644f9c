from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "jianyan.leads"
    label = "leads"
    verbose_name = "提案线索"
