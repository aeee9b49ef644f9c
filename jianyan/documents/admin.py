from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.template import Template, TemplateSyntaxError

from jianyan.documents.models import ReportTemplate


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
