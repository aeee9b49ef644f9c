"""The similarity index in the database, shared by every web and worker process.

One `ProposalIndex` row per proposal (its MinHash signature and its sparse feature vector, packed),
32 `ProposalBand` rows per proposal (the LSH band hashes, looked up in SQL), and per committee an
`IndexVersion` counter, bumped in the same transaction as every write, which tells each process
whether its in-memory copy of the committee's index is still current. All of it is derived data:
`jianyan reindex-similar` rebuilds it from the proposals."""

import uuid

from django.db import models
from django.utils import timezone


def new_token() -> str:
    return uuid.uuid4().hex


class IndexVersion(models.Model):
    """The version of a committee's index: +1 with every write. ``token`` changes when the row is made
    anew (a committee deleted and created again), so a cached copy never survives its data."""

    committee = models.OneToOneField(
        "people.Committee", verbose_name="政协", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    version = models.BigIntegerField("版本", default=0)
    token = models.CharField("标识", max_length=32, default=new_token)

    class Meta:
        verbose_name = "相似提案索引版本"
        verbose_name_plural = "相似提案索引版本"

    def __str__(self) -> str:
        return f"{self.committee_id}:{self.version}"


class ProposalIndex(models.Model):
    """A proposal as the similarity index holds it.

    ``signature``: the textlab MinHash signature, NUM_PERM little-endian uint32.
    ``features``: the textlab vector, n little-endian uint32 feature ids followed by their n float32
    weights. ``text_hash`` tells whether the text changed since; ``version`` is the committee's index
    version this row was written at (a process loads the rows newer than its copy)."""

    proposal = models.OneToOneField(
        "proposals.Proposal", on_delete=models.CASCADE, primary_key=True, related_name="assist_index"
    )
    committee = models.ForeignKey("people.Committee", on_delete=models.CASCADE, related_name="+")
    version = models.BigIntegerField("索引版本")
    text_hash = models.CharField("文本摘要", max_length=40)
    signature = models.BinaryField("MinHash 签名")
    features = models.BinaryField("特征向量")
    indexed_at = models.DateTimeField("索引时间", default=timezone.now)

    class Meta:
        verbose_name = "提案相似索引"
        verbose_name_plural = "提案相似索引"
        indexes = [models.Index(fields=["committee", "version"], name="assist_index_committee_version")]

    def __str__(self) -> str:
        return f"{self.proposal_id}@{self.version}"


class ProposalBand(models.Model):
    """One LSH band hash of a proposal's signature: proposals sharing a row's hash are near-duplicate
    candidates. Band i's hash is seeded by i, so equal hashes of different bands do not meet."""

    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.CASCADE, related_name="+")
    committee = models.ForeignKey("people.Committee", on_delete=models.CASCADE, related_name="+", db_index=False)
    band = models.PositiveSmallIntegerField("段")
    hash = models.BigIntegerField("段哈希")

    class Meta:
        verbose_name = "LSH 段哈希"
        verbose_name_plural = "LSH 段哈希"
        indexes = [models.Index(fields=["hash", "committee"], name="assist_band_hash")]

    def __str__(self) -> str:
        return f"{self.proposal_id}#{self.band}"


class SuggestionLog(models.Model):
    """What text assistance suggested for a proposal, so that what staff then chose can be compared with
    it (acceptance). One row per proposal and kind; written when the suggestions are shown to staff and
    kept as last shown before the decision. What was chosen is not copied here: it is the proposal's
    theme, its lead unit or its merge host, read when acceptance is measured."""

    class Kind(models.TextChoices):
        THEME = "theme", "主题"
        UNIT = "unit", "主办单位"
        MERGE = "merge", "并案"

    proposal = models.ForeignKey("proposals.Proposal", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField("类别", max_length=8, choices=Kind.choices)
    suggested = models.JSONField("建议（按顺序的编号）", default=list)
    scores = models.JSONField("得分", default=list)
    shown_at = models.DateTimeField("展示时间", default=timezone.now)

    class Meta:
        verbose_name = "辅助建议记录"
        verbose_name_plural = "辅助建议记录"
        constraints = [models.UniqueConstraint(fields=["proposal", "kind"], name="assist_suggestion_once")]

    def __str__(self) -> str:
        return f"{self.proposal_id}:{self.kind}"
