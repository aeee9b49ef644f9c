from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "jianyan.notifications"
    label = "notifications"
    verbose_name = "通知"
