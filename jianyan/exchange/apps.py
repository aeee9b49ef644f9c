from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "jianyan.exchange"
    label = "exchange"
    verbose_name = "表格导入导出"
