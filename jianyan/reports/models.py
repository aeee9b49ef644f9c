"""Per-committee settings of the statistics: which result classes count as solved (解决) and adopted (采纳).

domain.md §9 gives no fixed definition of 解决率 and 采纳率; committees differ. The default (no row) is
解决率 = A / replied and 采纳率 = (A + B) / replied."""

from django.core.exceptions import ValidationError
from django.db import models

CLASS_LETTERS = "ABCD"


class RateBase(models.TextChoices):
    REPLIED = "replied", "已答复提案"
    REGISTERED = "registered", "立案提案"


def validate_classes(value: str) -> None:
    if not value or any(ch not in CLASS_LETTERS for ch in value) or len(set(value)) != len(value):
        raise ValidationError("请填写办理结果类别字母，如 A 或 AB（只能用 A、B、C、D，不重复）")


class StatisticsSettings(models.Model):
    committee = models.OneToOneField("people.Committee", verbose_name="政协", on_delete=models.CASCADE,
                                     related_name="statistics_settings")
    solved_classes = models.CharField("计入解决率的类别", max_length=4, default="A", validators=[validate_classes],
                                      help_text="如 A：解决率 = A 类件数 / 分母")
    adopted_classes = models.CharField("计入采纳率的类别", max_length=4, default="AB", validators=[validate_classes],
                                       help_text="如 AB：采纳率 = (A + B) 类件数 / 分母")
    rate_base = models.CharField("解决率、采纳率的分母", max_length=10, choices=RateBase.choices,
                                 default=RateBase.REPLIED)

    class Meta:
        verbose_name = "统计口径"
        verbose_name_plural = "统计口径"

    def __str__(self) -> str:
        return f"{self.committee}的统计口径"


DEFAULT_SETTINGS = {"solved_classes": "A", "adopted_classes": "AB", "rate_base": RateBase.REPLIED}


class ProposalFacts(models.Model):
    """What the statistics need to know of one proposal beyond its own row, derived from its replies,
    assignments, evaluations and first proposer (see jianyan.reports.facts). Kept for the proposal's
    `version`: every workflow transition bumps the version, and the statistics refresh the facts whose
    version lags before counting, so a stale row is never counted. Not a source of truth: deleting every row
    only makes the next report slower."""

    proposal = models.OneToOneField("proposals.Proposal", on_delete=models.CASCADE, primary_key=True,
                                    related_name="facts")
    version = models.PositiveIntegerField()
    sector = models.ForeignKey("people.Sector", null=True, on_delete=models.SET_NULL, related_name="+")
    result_class = models.CharField(max_length=1, null=True)
    on_time = models.BooleanField()
    unanswered_due = models.DateField(null=True)
    returned = models.PositiveIntegerField()
    attitude_satisfied = models.PositiveIntegerField()
    attitude_basically_satisfied = models.PositiveIntegerField()
    attitude_unsatisfied = models.PositiveIntegerField()
    result_satisfied = models.PositiveIntegerField()
    result_basically_satisfied = models.PositiveIntegerField()
    result_unsatisfied = models.PositiveIntegerField()
    unrated = models.PositiveIntegerField()

    class Meta:
        verbose_name = verbose_name_plural = "提案统计事实"

    def __str__(self) -> str:
        return f"{self.proposal_id}@{self.version}"


class AssignmentFacts(models.Model):
    """Whether an assignment has an approved reply, and an on-time one; refreshed with its proposal's facts."""

    assignment = models.OneToOneField("handling.Assignment", on_delete=models.CASCADE, primary_key=True,
                                      related_name="facts")
    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.CASCADE, related_name="+")
    answered = models.BooleanField()
    in_time = models.BooleanField()

    class Meta:
        verbose_name = verbose_name_plural = "交办统计事实"

    def __str__(self) -> str:
        return f"{self.assignment_id}"
