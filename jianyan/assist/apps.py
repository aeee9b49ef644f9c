from django.apps import AppConfig


class AssistConfig(AppConfig):
    name = "jianyan.assist"
    verbose_name = "文本辅助"
    default_auto_field = "django.db.models.BigAutoField"
