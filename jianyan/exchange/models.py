"""Bookkeeping of spreadsheet imports: one ImportBatch per uploaded file, and one ImportedProposal per
imported row, keyed by a stable row key so that importing the same file again changes nothing."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class ImportBatch(models.Model):
    """An uploaded file, its column mapping and the outcome of its dry run or import."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", "待检查"
        QUEUED = "queued", "排队中"
        CHECKING = "checking", "检查中"
        CHECKED = "checked", "检查通过"
        REJECTED = "rejected", "有错误，未导入"
        IMPORTING = "importing", "导入中"
        IMPORTED = "imported", "已导入"
        FAILED = "failed", "失败"

    committee = models.ForeignKey("people.Committee", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("上传时间", default=timezone.now)
    file_name = models.CharField("文件名", max_length=200)
    content = models.BinaryField("文件内容", editable=False)
    headers = models.JSONField("表头", default=list)
    mapping = models.JSONField("列映射", default=dict, help_text="{列序号: 字段}")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.UPLOADED)
    dry_run = models.BooleanField("试导入", default=True)
    total = models.PositiveIntegerField("总行数", default=0)
    done = models.PositiveIntegerField("已处理", default=0)
    imported = models.PositiveIntegerField("导入", default=0)
    skipped = models.PositiveIntegerField("已存在跳过", default=0)
    errors = models.JSONField("错误", default=list, help_text="[[行号, 原因], ...]")
    message = models.TextField("说明", blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "导入批次"
        verbose_name_plural = "导入批次"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.file_name}（{self.get_status_display()}）"


class ImportedProposal(models.Model):
    """A proposal created by an import, with the row key that recognises the row when it comes again and
    the proposers as written in the file (names that match no member profile are kept here)."""

    committee = models.ForeignKey("people.Committee", on_delete=models.PROTECT, related_name="+")
    key = models.CharField("行键", max_length=80)
    proposal = models.OneToOneField("proposals.Proposal", on_delete=models.PROTECT, related_name="imported_from")
    batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="rows")
    row = models.PositiveIntegerField("行号")
    proposers = models.CharField("提案人（原文）", max_length=500, blank=True)

    class Meta:
        verbose_name = "导入的提案"
        verbose_name_plural = "导入的提案"
        constraints = [models.UniqueConstraint(fields=["committee", "key"], name="unique_import_key")]

    def __str__(self) -> str:
        return self.key
