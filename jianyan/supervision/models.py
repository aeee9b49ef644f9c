"""Key proposals (重点提案) led by a party/government leader and supervised by a CPPCC leader."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class KeyProposal(models.Model):
    committee = models.ForeignKey("people.Committee", on_delete=models.PROTECT, related_name="key_proposals")
    session = models.ForeignKey("people.Session", on_delete=models.PROTECT, related_name="key_proposals")
    topic = models.CharField("督办专题", max_length=200)
    proposals = models.ManyToManyField("proposals.Proposal", related_name="key_topics")
    lead_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="领办领导", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    supervising_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="督办领导", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    plan = models.TextField("督办方案", blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "重点提案"
        verbose_name_plural = "重点提案"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.topic


class SupervisionActivity(models.Model):
    class Form(models.TextChoices):
        FORUM = "forum", "座谈"
        SURVEY = "survey", "调研"
        INSPECTION = "inspection", "视察"
        MEETING = "meeting", "督办会"
        VISIT = "visit", "走访承办单位"

    key_proposal = models.ForeignKey(KeyProposal, on_delete=models.PROTECT, related_name="activities")
    form = models.CharField("形式", max_length=20, choices=Form.choices)
    date = models.DateField("日期")
    participants = models.TextField("参加人员", blank=True)
    minutes = models.TextField("纪要", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "督办活动"
        verbose_name_plural = "督办活动"
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_form_display()}"
