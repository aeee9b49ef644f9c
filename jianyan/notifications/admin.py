from django.contrib import admin

from jianyan.notifications.models import Delivery, Preference


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "email_events", "sms_events", "daily_digest", "last_digest_at"]
    raw_id_fields = ["user"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "channel", "status", "is_digest", "error"]
    list_filter = ["channel", "status"]
    raw_id_fields = ["user", "notification"]
