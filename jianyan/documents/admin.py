from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.template import Template, TemplateSyntaxError

from jianyan.documents.models import CompilationJob, ReportTemplate


class ReportTemplateForm(forms.ModelForm):
    class Meta:
        model = ReportTemplate
        fields = ["committee", "section", "body"]

    def clean_body(self):
        body = self.cleaned_data["body"]
        try:
            Template(body)
        except TemplateSyntaxError as e:
            raise ValidationError(f"模板语法错误：{e}")
        return body


@admin.register(ReportTemplate)
class ReportTemplateAdmin(admin.ModelAdmin):
    form = ReportTemplateForm
    list_display = ("committee", "section", "updated_at")
    list_filter = ("committee", "section")


@admin.register(CompilationJob)
class CompilationJobAdmin(admin.ModelAdmin):
    """Read-only: jobs are started from the 提案汇编 page and changed only by the background task."""

    list_display = ("session", "format", "status", "requested_by", "created_at", "finished_at", "proposals")
    list_filter = ("status", "format")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
