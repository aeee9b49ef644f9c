from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    name = "jianyan.workspace"
    label = "workspace"
    verbose_name = "工作台"
