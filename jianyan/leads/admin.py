from django.contrib import admin

from jianyan.leads.models import Lead, LeadDraft


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    """Read-only here: leads change state only through jianyan.leads.workflow (the staff pages)."""

    list_display = ("id", "topic", "committee", "status", "submitted_at", "moderated_by")
    list_filter = ("status", "committee")
    search_fields = ("topic", "description")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(LeadDraft)
class LeadDraftAdmin(admin.ModelAdmin):
    list_display = ("lead", "proposal", "created_by", "created_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
