from django.contrib import admin

from jianyan.reports.models import StatisticsSettings


@admin.register(StatisticsSettings)
class StatisticsSettingsAdmin(admin.ModelAdmin):
    list_display = ("committee", "solved_classes", "adopted_classes", "rate_base")
