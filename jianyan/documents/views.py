"""Downloads of the official documents and the annual report, and the 提案汇编 page (a background job per
format, its progress polled with htmx). Every read goes through jianyan.core.access:
a document that is missing, does not apply to the proposal's state, or is not for this viewer gives 404,
never a hint that it exists."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.shortcuts import render as render_page
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from jianyan.core.access import get_visible_proposal, is_proposer, profile_of, role_of, unit_assignments
from jianyan.core.cli import DEFAULT_COMMITTEE
from jianyan.core.errors import NotFound
from jianyan.documents import compilations, official
from jianyan.documents.fonts import FontMissing
from jianyan.documents.layout import Document
from jianyan.documents.models import CompilationJob
from jianyan.documents.render import FORMATS, render
from jianyan.people.models import Committee, Role, Session, Unit
from jianyan.reports.statistics import years_with_sessions
from jianyan.workspace.web import Crumb

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


def overseen_session(user, pk: int) -> Session:
    """The session, if the user oversees its committee; 404 otherwise (missing and forbidden look alike)."""
    session = Session.objects.filter(pk=pk).select_related("term__committee").first() if pk < 2**62 else None
    if session is None or not oversees(user, session.term.committee_id):
        raise Http404("记录不存在或您无权查看")
    return session


# Up to this many proposals the Word file takes under a second and is still made inside the request
# (the demo's 387 take about 4 s): small sessions, tests and scripts keep their direct download.
INLINE_DOCX_PROPOSALS = 50


@login_required
@require_GET
def session_compilation(request, pk: int, fmt: str):
    """The 提案汇编 as a direct download: Markdown always; Word and PDF when a finished job's file still has
    the session's current content (or, for Word, when the session is small). Otherwise the compilation page,
    where a background job makes it."""
    check_format(fmt)
    session = overseen_session(request.user, pk)
    document = official.compilation(session)
    if fmt == "md" or (fmt == "docx" and len(document.toc) <= INLINE_DOCX_PROPOSALS):
        return download(document, fmt)
    job = compilations.current_file(session, fmt, document.fingerprint())
    if job is not None:
        return job_file_response(job, document.filename)
    messages.info(request, "提案汇编篇幅较大，改为在后台生成：请点击下方按钮，完成后即可下载。")
    return redirect(f"{reverse('documents:compilation_jobs', args=[session.pk])}?format={fmt}")


def job_file_response(job: CompilationJob, filename: str) -> FileResponse:
    path = compilations.file_path(job)
    if path is None:
        raise Http404("文件已清理，请重新生成")
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"{filename}.{job.format}",
                        content_type=FORMATS[job.format])


def jobs_context(session: Session) -> dict:
    """The session's recent jobs, each active one with its progress. When nothing is running (a page, or the
    last poll) the finished files are also marked current or not: that builds the document (0.4 s for 387
    proposals), which the poll should not do every second."""
    jobs = list(CompilationJob.objects.filter(session=session).select_related("requested_by__profile")[:20])
    stale = set(CompilationJob.objects.filter(compilations.stale_filter(), session=session)
                .values_list("pk", flat=True))
    now = timezone.now()
    for job in jobs:
        job.is_stale = job.pk in stale
        job.is_active = job.status in compilations.ACTIVE and not job.is_stale
        job.progress = compilations.read_progress(job.pk) if job.is_active else {}
        total = job.progress.get("total") or 0
        job.share = int(100 * job.progress.get("done", 0) / total) if total else 0
        job.has_file = job.status == CompilationJob.Status.DONE and bool(job.file)
        job.elapsed = int((now - (job.started_at or job.created_at)).total_seconds())
    # While WeasyPrint lays out there is no figure to show: the time the last finished job took is a guide.
    took = {}
    for job in reversed(jobs):
        if job.status == CompilationJob.Status.DONE and job.started_at and job.finished_at:
            took[job.format] = int((job.finished_at - job.started_at).total_seconds())
    for job in jobs:
        job.last_took = took.get(job.format) if job.is_active else None
    running = {job.format for job in jobs if job.is_active}
    fingerprint = official.compilation(session).fingerprint() if not running else ""
    for job in jobs:
        job.is_current = bool(fingerprint) and job.has_file and job.fingerprint == fingerprint
    return {"session": session, "jobs": jobs, "polling": bool(running), "checked_currency": bool(fingerprint),
            "formats": [(fmt, label, fmt in running) for fmt, label in CompilationJob.Format.choices]}


@login_required
@require_GET
def compilation_jobs(request, pk: int):
    """The session's 提案汇编 page: start a job per format, follow its progress, download the files."""
    session = overseen_session(request.user, pk)
    others = (Session.objects.filter(term__committee=session.term.committee).exclude(pk=session.pk)
              .select_related("term__committee").order_by("-year", "-sitting"))
    return render_page(request, "documents/compilation_jobs.html", {
        **jobs_context(session), "others": others, "asked": request.GET.get("format", ""),
        "crumbs": [Crumb("工作台", reverse("workspace:home")), Crumb(f"{session.label}提案汇编")],
    })


@login_required
@require_GET
def compilation_jobs_panel(request, pk: int):
    """The jobs panel alone, polled by htmx while a job runs."""
    session = overseen_session(request.user, pk)
    return render_page(request, "documents/compilation_jobs.html#jobs", jobs_context(session))


@login_required
@require_POST
def compilation_start(request, pk: int):
    session = overseen_session(request.user, pk)
    fmt = request.POST.get("format", "")
    if fmt not in CompilationJob.Format.values:
        messages.error(request, "请选择 PDF 或 Word 格式")
        return redirect("documents:compilation_jobs", pk=session.pk)
    job, started = compilations.start_compilation(session, fmt, actor=request.user)
    if started:
        messages.success(request, f"已开始生成{job.get_format_display()}版提案汇编，完成后可在下方下载。")
    else:
        messages.info(request, f"{job.get_format_display()}版提案汇编正在生成中，请稍候。")
    return redirect("documents:compilation_jobs", pk=session.pk)


@login_required
@require_GET
def compilation_file(request, pk: int, job_pk: int):
    session = overseen_session(request.user, pk)
    job = (CompilationJob.objects.filter(session=session, pk=job_pk, status=CompilationJob.Status.DONE).first()
           if job_pk < 2**62 else None)
    if job is None:
        raise Http404("记录不存在或您无权查看")
    return job_file_response(job, f"提案汇编-{session.year}")


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
