from django.contrib import admin

from jianyan.workdays.models import CalendarException, DeadlinePolicy, SentReminder


@admin.register(CalendarException)
class CalendarExceptionAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "name", "committee"]
    list_filter = ["committee", "kind"]
    date_hierarchy = "date"


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(admin.ModelAdmin):
    list_display = ["committee", "near_due_working_days", "cosign_working_days", "review_working_days",
                    "co_opinion_working_days", "extension_max_months", "handling_cap_months"]


@admin.register(SentReminder)
class SentReminderAdmin(admin.ModelAdmin):
    list_display = ["item", "kind", "due_date", "recipients", "sent_at"]
    list_filter = ["kind"]
    readonly_fields = ["item", "kind", "due_date", "proposal", "recipients", "sent_at"]
