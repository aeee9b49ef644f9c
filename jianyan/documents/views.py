"""Downloads of the official documents and the annual report. Every read goes through jianyan.core.access:
a document that is missing, does not apply to the proposal's state, or is not for this viewer gives 404,
never a hint that it exists."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET

from jianyan.core.access import get_visible_proposal, is_proposer, profile_of, role_of, unit_assignments
from jianyan.core.cli import DEFAULT_COMMITTEE
from jianyan.core.errors import NotFound
from jianyan.documents import official
from jianyan.documents.fonts import FontMissing
from jianyan.documents.layout import Document
from jianyan.documents.render import FORMATS, render
from jianyan.people.models import Committee, Role, Session, Unit
from jianyan.reports.statistics import years_with_sessions

OVERSEERS = (Role.STAFF, Role.LEADER, Role.ADMIN)


def download(document: Document, fmt: str) -> HttpResponse:
    try:
        body = render(document, fmt)
    except FontMissing as e:
        return HttpResponse(e.message, status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(body, content_type=FORMATS[fmt])
    name = f"{document.filename}.{fmt}"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


def check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise Http404("不支持的格式")


def oversees(user, committee_id: int) -> bool:
    """Staff and leaders of the committee, and admins."""
    role = role_of(user)
    if role == Role.ADMIN:
        return True
    profile = profile_of(user)
    return role in OVERSEERS and profile is not None and profile.committee_id == committee_id


@login_required
@require_GET
def proposal_document(request, pk: int, kind: str, fmt: str):
    check_format(fmt)
    try:
        proposal = get_visible_proposal(request.user, pk)
    except NotFound:
        raise Http404("记录不存在或您无权查看")
    mine = unit_assignments(request.user, proposal).select_related("unit").order_by("id").first()
    allowed = official.kinds_for(
        proposal.state, oversees=oversees(request.user, proposal.committee_id),
        proposer=role_of(request.user) in (Role.MEMBER, Role.CLERK) and is_proposer(request.user, proposal),
        unit_mode=mine.mode if mine else None)
    if kind not in {k.slug for k in allowed}:
        raise Http404("记录不存在或您无权查看")
    if kind == "reply_template":
        document = official.reply_template(proposal, unit=mine.unit if mine else None)
    else:
        document = official.BUILDERS[kind](proposal)
    return download(document, fmt)


@login_required
@require_GET
def unit_assignment_list(request, unit_pk: int, fmt: str):
    check_format(fmt)
    unit = Unit.objects.filter(pk=unit_pk).select_related("committee").first()
    profile = profile_of(request.user)
    own_unit = profile is not None and profile.role == Role.UNIT and profile.unit_id == unit_pk
    if unit is None or not (own_unit or oversees(request.user, unit.committee_id)):
        raise Http404("记录不存在或您无权查看")
    session = session_of(unit.committee, request.GET.get("session"))
    return download(official.unit_assignments(unit, session), fmt)


def session_of(committee: Committee, value) -> Session:
    """The session named by ?session=<pk>, or the committee's latest one."""
    sessions = Session.objects.filter(term__committee=committee).select_related("term__committee")
    if value in (None, ""):
        session = sessions.order_by("-year", "-plenary_start").first()
    else:
        try:
            session = sessions.filter(pk=int(value)).first()
        except (TypeError, ValueError):
            session = None
    if session is None:
        raise Http404("没有这个会次")
    return session


@login_required
@require_GET
def session_compilation(request, pk: int, fmt: str):
    check_format(fmt)
    session = Session.objects.filter(pk=pk).select_related("term__committee").first()
    if session is None or not oversees(request.user, session.term.committee_id):
        raise Http404("记录不存在或您无权查看")
    return download(official.compilation(session), fmt)


@login_required
@require_GET
def annual_report(request, year: int, fmt: str):
    """The annual report of the viewer's committee (an admin: ?committee=CODE, else the demo's or the only one)."""
    from jianyan.reports.annual import annual_report as build

    check_format(fmt)
    committee = committee_for_annual(request)
    if committee is None or year not in years_with_sessions(committee):
        raise Http404("记录不存在或您无权查看")
    return download(build(year=year, committee=committee), fmt)


def committee_for_annual(request) -> Committee | None:
    role = role_of(request.user)
    if role == Role.ADMIN:
        return Committee.objects.filter(code=request.GET.get("committee") or DEFAULT_COMMITTEE).first()
    profile = profile_of(request.user)
    if role in (Role.STAFF, Role.LEADER) and profile is not None:
        return profile.committee
    return None
