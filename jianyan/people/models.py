"""Committees, their terms and sessions, sectors, organisations, handling units, themes and user roles."""

from django.conf import settings
from django.db import models

CN_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """14 -> 十四, 3 -> 三, 20 -> 二十 (numbers below 100, as used for terms and sittings)."""
    if n < 10:
        return CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")


class Committee(models.Model):
    """A CPPCC committee (市 or 县区 level). Local rules that differ between committees live here."""

    class Level(models.TextChoices):
        CITY = "city", "市级"
        COUNTY = "county", "县（市、区）级"

    class ResultClasses(models.TextChoices):
        ABC = "ABC", "A/B/C 三类"
        ABCD = "ABCD", "A/B/C/D 四类"

    code = models.SlugField("代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=100)
    short_name = models.CharField("简称", max_length=30, help_text="如：市政协")
    place = models.CharField("地名", max_length=30, help_text="如：阳泉市")
    level = models.CharField("层级", max_length=10, choices=Level.choices, default=Level.CITY)
    parent = models.ForeignKey("self", verbose_name="上级政协", null=True, blank=True, on_delete=models.PROTECT)

    result_classes = models.CharField(
        "办理结果分类", max_length=4, choices=ResultClasses.choices, default=ResultClasses.ABC
    )
    return_window_days = models.PositiveSmallIntegerField("申请退回期限（天）", default=5)
    handling_months = models.PositiveSmallIntegerField("大会提案办理期限（月）", default=3)
    interim_handling_months = models.PositiveSmallIntegerField("平时提案办理期限（月）", default=3)
    rehandling_months = models.PositiveSmallIntegerField("重新办理期限（月）", default=3)
    rehandling_limit = models.PositiveSmallIntegerField(
        "重新办理次数上限", default=1, help_text="不满意后最多重新办理几次；用完后仍不满意须当面协商后以未解决办结"
    )
    evaluation_window_days = models.PositiveSmallIntegerField("评价期限（天）", default=15)
    body_max_chars = models.PositiveIntegerField("正文字数上限", default=2500)
    publish_consent_required = models.BooleanField("公开须提案人同意", default=True)
    number_width = models.PositiveSmallIntegerField("案号位数", default=4)

    class Meta:
        verbose_name = "政协"
        verbose_name_plural = "政协"

    def __str__(self) -> str:
        return self.name

    def format_number(self, number: int | None) -> str:
        return f"第{number:0{self.number_width}d}号" if number else ""

    @property
    def result_class_codes(self) -> list[str]:
        return list(self.result_classes)


class Term(models.Model):
    committee = models.ForeignKey(Committee, verbose_name="政协", on_delete=models.PROTECT, related_name="terms")
    number = models.PositiveSmallIntegerField("届次")
    start_year = models.PositiveSmallIntegerField("起始年份")

    class Meta:
        verbose_name = "届"
        verbose_name_plural = "届"
        constraints = [models.UniqueConstraint(fields=["committee", "number"], name="unique_term_number")]

    def __str__(self) -> str:
        return f"{self.committee.short_name}{chinese_number(self.number)}届"


class Session(models.Model):
    """A sitting of a term (次会议), e.g. 市政协十四届三次会议; proposals are numbered per session."""

    term = models.ForeignKey(Term, verbose_name="届", on_delete=models.PROTECT, related_name="sessions")
    sitting = models.PositiveSmallIntegerField("次")
    year = models.PositiveSmallIntegerField("年度", db_index=True)
    plenary_start = models.DateField("大会开幕")
    plenary_end = models.DateField("大会闭幕")
    submission_deadline = models.DateTimeField("大会提案截止时间")
    assignment_meeting_date = models.DateField("交办会日期", null=True, blank=True)
    last_number = models.PositiveIntegerField("已用案号", default=0, editable=False)

    class Meta:
        verbose_name = "会次"
        verbose_name_plural = "会次"
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["term", "sitting"], name="unique_session_sitting")]

    def __str__(self) -> str:
        return self.label

    @property
    def committee(self) -> Committee:
        return self.term.committee

    @property
    def label(self) -> str:
        return f"{self.term.committee.short_name}{chinese_number(self.term.number)}届{chinese_number(self.sitting)}次会议"


class Sector(models.Model):
    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="sectors")
    name = models.CharField("界别", max_length=50)

    class Meta:
        verbose_name = "界别"
        verbose_name_plural = "界别"

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    """A collective proposer: a party, a people's organisation, a special committee or a sector group."""

    class Kind(models.TextChoices):
        PARTY = "party", "民主党派"
        PEOPLE_ORG = "people_org", "人民团体"
        SPECIAL_COMMITTEE = "special_committee", "专门委员会"
        SECTOR_GROUP = "sector_group", "界别"
        MEMBER_GROUP = "member_group", "委员小组"

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="organisations")
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)

    class Meta:
        verbose_name = "集体提案单位"
        verbose_name_plural = "集体提案单位"

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """A handling unit (承办单位) with its duties (职能), which routing suggestions read."""

    class System(models.TextChoices):
        PARTY = "party", "党群"
        GOVERNMENT = "government", "政府"
        CONGRESS = "congress", "人大"
        CPPCC = "cppcc", "政协"
        COURT = "court", "法院"
        PROCURATORATE = "procuratorate", "检察院"
        OTHER = "other", "其他"

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="units")
    name = models.CharField("简称", max_length=50)
    full_name = models.CharField("全称", max_length=100, blank=True)
    system = models.CharField("系统", max_length=20, choices=System.choices, default=System.GOVERNMENT)
    duties = models.TextField("职能", blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "承办单位"
        verbose_name_plural = "承办单位"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["committee", "name"], name="unique_unit_name")]

    def __str__(self) -> str:
        return self.name


class Theme(models.Model):
    """A local theme of the committee's taxonomy, with its national area (五大建设)."""

    class Area(models.TextChoices):
        ECONOMY = "economy", "经济建设"
        POLITICS = "politics", "政治建设"
        CULTURE = "culture", "文化建设"
        SOCIETY = "society", "社会建设"
        ECOLOGY = "ecology", "生态文明建设"

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="themes")
    name = models.CharField("主题", max_length=50)
    national_area = models.CharField("全国分类", max_length=10, choices=Area.choices)
    description = models.TextField("说明", blank=True)
    keywords = models.TextField("关键词", blank=True, help_text="以空格分隔")
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "主题"
        verbose_name_plural = "主题"
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["committee", "name"], name="unique_theme_name")]

    def __str__(self) -> str:
        return self.name


class ReasonCode(models.Model):
    """A coded reason not to register a proposal (R1–R10 nationally; committees may add their own)."""

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="reason_codes")
    code = models.CharField("代码", max_length=10)
    text = models.CharField("理由", max_length=200)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "不予立案理由"
        verbose_name_plural = "不予立案理由"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["committee", "code"], name="unique_reason_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"


class Role(models.TextChoices):
    MEMBER = "member", "委员"
    CLERK = "clerk", "集体提案经办人"
    STAFF = "staff", "提案委工作人员"
    UNIT = "unit", "承办单位联络员"
    LEADER = "leader", "领导"
    ADMIN = "admin", "系统管理员"


class Profile(models.Model):
    """Who a user is in one committee: a member, a collective clerk, staff, a unit liaison, a leader or an admin."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    committee = models.ForeignKey(Committee, verbose_name="政协", on_delete=models.PROTECT, related_name="profiles")
    role = models.CharField("角色", max_length=10, choices=Role.choices)
    display_name = models.CharField("姓名", max_length=50)
    sector = models.ForeignKey(Sector, verbose_name="界别", null=True, blank=True, on_delete=models.PROTECT)
    organisation = models.ForeignKey(
        Organisation, verbose_name="所属集体", null=True, blank=True, on_delete=models.PROTECT, related_name="clerks"
    )
    unit = models.ForeignKey(
        Unit, verbose_name="承办单位", null=True, blank=True, on_delete=models.PROTECT, related_name="liaisons"
    )
    title = models.CharField("职务", max_length=100, blank=True)
    phone = models.CharField("电话", max_length=30, blank=True)
    is_demo = models.BooleanField("演示账号", default=False)

    class Meta:
        verbose_name = "用户角色"
        verbose_name_plural = "用户角色"

    def __str__(self) -> str:
        return f"{self.display_name}（{self.get_role_display()}）"
