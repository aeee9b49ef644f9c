"""The prose of the annual report, editable per committee: a section's Django template overrides the
default file under templates/documents/annual/."""

from django.db import models


class ReportTemplate(models.Model):
    class Section(models.TextChoices):
        TOTALS = "totals", "总体情况（收到、立案、集体与委员提案、办结率）"
        THEME = "theme", "分主题段落（每个主题一段）"
        PRACTICES = "practices", "工作做法（重点提案督办、办理协商、双向评议、提案公开）"
        CLOSING = "closing", "结束语"

    committee = models.ForeignKey("people.Committee", verbose_name="政协", on_delete=models.CASCADE,
                                  related_name="report_templates")
    section = models.CharField("段落", max_length=20, choices=Section.choices)
    body = models.TextField(
        "模板", help_text="Django 模板语法；可用变量见 jianyan/documents/templates/documents/annual/ 下的默认模板。"
                        "数字请使用 stats 中的变量，不要手写。")
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "报告模板"
        verbose_name_plural = "报告模板"
        constraints = [models.UniqueConstraint(fields=["committee", "section"], name="one_report_template_per_section")]

    def __str__(self) -> str:
        return f"{self.committee.short_name} · {self.get_section_display()}"
