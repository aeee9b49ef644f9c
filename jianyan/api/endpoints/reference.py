"""The committee's reference data that actions take ids from, and the year's statistics."""

from django.utils import timezone
from ninja import Query, Router

from jianyan.api.endpoints import responses
from jianyan.api.schemas import CommitteeFilter, ReasonList, SessionList, StatsFilters, ThemeList, UnitList
from jianyan.core.access import profile_of, role_of
from jianyan.core.errors import DomainError, NotAllowed, NotFound
from jianyan.people.models import Committee, ReasonCode, Role, Session, Theme, Unit

router = Router(tags=["基础数据与统计"])


class Unavailable(DomainError):
    status = 503
    code = "unavailable"


def committee_for(user, code: str | None = None) -> Committee:
    """The user's own committee; an admin may name another by its code (default: the first one)."""
    profile = profile_of(user)
    if role_of(user) == Role.ADMIN:
        if code:
            committee = Committee.objects.filter(code=code).first()
            if committee is None:
                raise NotFound("没有这个政协", code="no_such_committee")
            return committee
        if profile:
            return profile.committee
        committee = Committee.objects.order_by("id").first()
        if committee is None:
            raise NotFound("尚未设置政协", code="no_such_committee")
        return committee
    if profile is None:
        raise NotAllowed("您的账号未关联政协")
    if code and code != profile.committee.code:
        raise NotAllowed("您只能查看本政协的数据")
    return profile.committee


@router.get("/units", response=responses({200: UnitList}, 401, 403, 404), operation_id="listUnits",
            summary="本政协的承办单位")
def list_units(request, filters: Query[CommitteeFilter]):
    committee = committee_for(request.auth, filters.committee)
    units = Unit.objects.filter(committee=committee, is_active=True).order_by("id")
    return {"items": [{"id": u.pk, "name": u.name, "full_name": u.full_name, "system": u.system,
                       "system_label": u.get_system_display()} for u in units]}


@router.get("/themes", response=responses({200: ThemeList}, 401, 403, 404), operation_id="listThemes",
            summary="本政协的提案主题（立案时的 category）")
def list_themes(request, filters: Query[CommitteeFilter]):
    committee = committee_for(request.auth, filters.committee)
    return {"items": [{"id": t.pk, "name": t.name, "national_area": t.national_area,
                       "national_area_label": t.get_national_area_display(), "description": t.description}
                      for t in Theme.objects.filter(committee=committee)]}


@router.get("/reason-codes", response=responses({200: ReasonList}, 401, 403, 404), operation_id="listReasonCodes",
            summary="不予立案的理由代码")
def list_reason_codes(request, filters: Query[CommitteeFilter]):
    committee = committee_for(request.auth, filters.committee)
    return {"items": [{"code": r.code, "text": r.text}
                      for r in ReasonCode.objects.filter(committee=committee, is_active=True)]}


@router.get("/sessions", response=responses({200: SessionList}, 401, 403, 404), operation_id="listSessions",
            summary="本政协的会次")
def list_sessions(request, filters: Query[CommitteeFilter]):
    committee = committee_for(request.auth, filters.committee)
    sessions = (Session.objects.filter(term__committee=committee).select_related("term__committee")
                .order_by("-year", "-sitting"))
    return {"items": [{"id": x.pk, "label": x.label, "year": x.year, "term": x.term.number, "sitting": x.sitting,
                       "plenary_start": x.plenary_start, "plenary_end": x.plenary_end,
                       "submission_deadline": timezone.localtime(x.submission_deadline)} for x in sessions]}


@router.get("/stats", response=responses({200: dict}, 400, 401, 403, 404, 503), operation_id="yearStatistics",
            summary="年度提案统计（提案委工作人员、领导）")
def stats(request, filters: Query[StatsFilters]):
    """The object of `jianyan stats --json` for the year (default: this year)."""
    user = request.auth
    if role_of(user) not in (Role.STAFF, Role.LEADER, Role.ADMIN):
        raise NotAllowed("只有提案委工作人员和领导可以查看统计")
    committee = committee_for(user, filters.committee)
    try:
        from jianyan.reports.statistics import year_statistics
    except ImportError:
        raise Unavailable("统计功能暂不可用")
    return year_statistics(year=filters.year or timezone.localdate().year, committee=committee)
