"""The prose of the annual report, editable per committee: a section's Django template overrides the
default file under templates/documents/annual/; and the background jobs that make a session's 提案汇编."""

from django.conf import settings
from django.db import models
from django.utils import timezone


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


class CompilationJob(models.Model):
    """One request for a session's 提案汇编 in one format, made by a background task (jianyan.documents.tasks):
    laying out a 200-page PDF takes a minute or more, too long for a web request. The finished file lives
    under MEDIA_ROOT and is served only through an access-checked view."""

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        DOCX = "docx", "Word"

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    session = models.ForeignKey("people.Session", verbose_name="会次", on_delete=models.CASCADE,
                                related_name="compilation_jobs")
    format = models.CharField("格式", max_length=8, choices=Format.choices)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("申请时间", default=timezone.now)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    file = models.CharField("文件", max_length=200, blank=True, help_text="MEDIA_ROOT 下的相对路径；清理后为空")
    size = models.PositiveIntegerField("字节数", default=0)
    proposals = models.PositiveIntegerField("提案件数", default=0)
    fingerprint = models.CharField("内容指纹", max_length=64, blank=True,
                                   help_text="生成时汇编内容的哈希：与当前内容相同，文件即为最新")
    message = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "提案汇编任务"
        verbose_name_plural = "提案汇编任务"
        ordering = ["-id"]
        indexes = [models.Index(fields=["session", "format", "status"], name="compilation_job_lookup")]

    def __str__(self) -> str:
        return f"{self.session} · {self.get_format_display()}（{self.get_status_display()}）"
