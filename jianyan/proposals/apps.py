from django.apps import AppConfig


class ProposalsConfig(AppConfig):
    name = "jianyan.proposals"
    label = "proposals"
    verbose_name = "提案"
