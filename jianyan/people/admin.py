from django.contrib import admin

from jianyan.people.models import (
    Committee,
    Organisation,
    Profile,
    ReasonCode,
    Sector,
    Session,
    Term,
    Theme,
    Unit,
)


@admin.register(Committee)
class CommitteeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "level", "parent", "result_classes", "handling_months", "return_window_days"]
    fieldsets = [
        (None, {"fields": ["code", "name", "short_name", "place", "level", "parent"]}),
        ("本地规则", {"fields": [
            "result_classes", "return_window_days", "handling_months", "interim_handling_months",
            "rehandling_months", "evaluation_window_days", "body_max_chars", "publish_consent_required", "number_width",
        ]}),
    ]


@admin.register(Term)
class TermAdmin(admin.ModelAdmin):
    list_display = ["__str__", "committee", "number", "start_year"]


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["label", "year", "plenary_start", "plenary_end", "submission_deadline", "last_number"]
    list_select_related = ["term__committee"]
    readonly_fields = ["last_number"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "full_name", "system", "committee", "is_active"]
    list_filter = ["committee", "system", "is_active"]
    search_fields = ["name", "full_name", "duties"]


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "national_area", "committee", "order"]
    list_filter = ["committee"]


@admin.register(ReasonCode)
class ReasonCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "text", "committee", "is_active"]
    list_filter = ["committee"]


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["name", "committee"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "committee"]
    list_filter = ["committee", "kind"]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["display_name", "user", "role", "committee", "unit", "organisation"]
    list_filter = ["committee", "role"]
    search_fields = ["display_name", "user__username"]
    raw_id_fields = ["user"]
