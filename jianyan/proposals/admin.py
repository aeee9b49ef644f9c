from django.contrib import admin

from jianyan.proposals.models import Proposal, Proposer


class ProposerInline(admin.TabularInline):
    model = Proposer
    extra = 0
    readonly_fields = ["user", "organisation", "role", "status", "responded_at"]
    can_delete = False


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    """For reference and search only: every state change goes through the workflow functions."""

    list_display = ["__str__", "session", "number", "state", "proposer_type", "theme"]
    list_filter = ["state", "proposer_type", "theme"]
    list_select_related = ["session__term__committee", "theme"]
    search_fields = ["title"]
    inlines = [ProposerInline]
    readonly_fields = [f.name for f in Proposal._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
