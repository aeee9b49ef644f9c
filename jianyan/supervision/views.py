"""Pages of supervision and follow-up: key-proposal nominations and the actions on a key proposal (approve,
sign off, track next year), follow-up items with progress updates, a member's performance record,
excellent proposals, combined city–county statistics and transfers between committees.

Views only parse the form, call a workflow function and show its Chinese message; rules live in
supervision.workflow, supervision.linkage and supervision.selectors."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from jianyan.core.access import get_visible_proposal, profile_of, proposals_visible_to, role_of
from jianyan.core.errors import DomainError
from jianyan.people.models import Role
from jianyan.proposals.attachments import CONTENT_TYPES
from jianyan.proposals.models import REGISTERED_STATES, State
from jianyan.reports.combined import combined_statistics
from jianyan.reports.statistics import years_with_sessions
from jianyan.supervision import linkage, selectors
from jianyan.supervision import workflow as supervision
from jianyan.supervision.models import FollowUp, KeyNomination, ProgressUpdate, SupervisionActivity
from jianyan.workspace.web import Crumb, paginate, raise_for_access, roles_required, safe_next

User = get_user_model()
HOME = Crumb("工作台", "/workspace/")


def run(request, action, success: str, default: str):
    """Call the workflow; show its message; 404/403 for access errors; back to `next` or the default page."""
    try:
        action()
    except DomainError as e:
        raise_for_access(e)
        messages.error(request, e.message)
    else:
        messages.success(request, success)
    return redirect(safe_next(request, default))


def year_param(request, default: int) -> int:
    raw = (request.POST.get("year") or request.GET.get("year") or "").strip()
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else default


# ---- key proposals -----------------------------------------------------------------------------

@roles_required(Role.STAFF, Role.CLERK, message="重点提案推荐由各党派、团体、专委会经办人和提案委工作人员办理")
def key_nominations(request):
    """Recommend a proposal as a key proposal; staff see every recommendation and decline the ones not chosen."""
    candidates = (proposals_visible_to(request.user).filter(state__in=REGISTERED_STATES, is_key=False)
                  .select_related("committee", "session").order_by("-session__year", "number")[:300])
    if request.method == "POST":
        pk = request.POST.get("proposal", "")
        proposal = next((p for p in candidates if str(p.pk) == pk), None)
        if proposal is None:
            messages.error(request, "请选择本政协已立案的提案")
            return redirect("supervision:key_nominations")
        return run(request, lambda: supervision.nominate_key_proposal(
            proposal, actor=request.user, reason=request.POST.get("reason", "")),
            "已推荐，提案委员会审定后将确定重点提案。", reverse("supervision:key_nominations"))
    nominations = selectors.nominations_for_staff(request.user)[:200]
    own = (KeyNomination.objects.filter(nominated_by=request.user).select_related("proposal__committee")
           .order_by("-nominated_at")[:50]) if role_of(request.user) == Role.CLERK else []
    return render(request, "supervision/key_nominations.html", {
        "candidates": candidates, "nominations": nominations, "own": own,
        "crumbs": [HOME, Crumb("重点提案推荐")],
    })


@roles_required(Role.STAFF, message="该操作仅供提案委员会工作人员使用")
@require_POST
def decline_nomination(request, pk: int):
    nomination = selectors.nominations_for_staff(request.user).filter(pk=pk).first()
    if nomination is None:
        raise Http404("推荐不存在")
    return run(request, lambda: supervision.decline_key_nomination(
        nomination, actor=request.user, note=request.POST.get("note", "")),
        "已标记为未选定。", reverse("supervision:key_nominations"))


@roles_required(Role.LEADER, message="重点提案由主席会议批准，请由领导账号查看")
def key_approvals(request):
    """Key proposals the proposal committee has decided, waiting for the chairs' meeting; and the approved ones."""
    keys = (selectors.keys_visible_to(request.user).select_related("session__term__committee", "lead_leader__profile",
                                                                   "supervising_leader__profile")
            .prefetch_related("proposals").order_by("status", "-session__year", "id"))
    return render(request, "supervision/key_approvals.html", {
        "keys": keys, "leaders": User.objects.filter(profile__committee_id=profile_of(request.user).committee_id,
                                                     profile__role=Role.LEADER).select_related("profile"),
        "crumbs": [HOME, Crumb("重点提案审批")],
    })


@login_required
@require_POST
def approve_key(request, pk: int):
    key = visible_key(request, pk)
    leaders = {str(u.pk): u for u in User.objects.filter(profile__committee_id=key.committee_id,
                                                          profile__role=Role.LEADER)}
    return run(request, lambda: supervision.approve_key_proposal(
        key, actor=request.user, note=request.POST.get("note", ""),
        lead_leader=leaders.get(request.POST.get("lead_leader", "")),
        supervising_leader=leaders.get(request.POST.get("supervising_leader", ""))),
        "重点提案已批准，已通知领办、督办领导。", reverse("workspace:home"))


def visible_key(request, pk: int):
    key = selectors.keys_visible_to(request.user).filter(pk=pk).first()
    if key is None:
        raise Http404("重点提案不存在或您无权查看")
    return key


@login_required
@require_POST
def sign_off_key(request, pk: int):
    key = visible_key(request, pk)
    return run(request, lambda: supervision.sign_off_key_proposal(key, actor=request.user,
                                                                  note=request.POST.get("note", "")),
               "已签字确认。", reverse("workspace:home"))


@login_required
@require_POST
def track_key(request, pk: int):
    key = visible_key(request, pk)
    year = year_param(request, key.session.year + 1)
    return run(request, lambda: supervision.track_key_proposal(key, actor=request.user, year=year),
               f"已列入{year}年跨年度跟踪。", reverse("staff:key_proposals"))


@login_required
def activity_file(request, pk: int):
    """The file of a supervision activity, for those who see the key proposal."""
    activity = SupervisionActivity.objects.filter(
        pk=pk, key_proposal__in=selectors.keys_visible_to(request.user)).exclude(attachment="").first()
    if activity is None:
        raise Http404("文件不存在或您无权查看")
    try:
        handle = activity.attachment.open("rb")
    except FileNotFoundError:
        raise Http404("文件已不存在")
    response = FileResponse(handle, as_attachment=True, filename=activity.attachment_name,
                            content_type=CONTENT_TYPES.get(activity.attachment_type, "application/octet-stream"))
    response["Cache-Control"] = "private, no-store"
    return response


# ---- follow-up ---------------------------------------------------------------------------------

@roles_required(Role.STAFF, Role.LEADER, Role.UNIT, Role.MEMBER, Role.CLERK)
def follow_ups(request):
    """Follow-up items: the unit's own with an update form each; all of the committee for staff and leaders;
    a proposer's for their proposals."""
    role = role_of(request.user)
    qs = selectors.follow_ups_visible_to(request.user).prefetch_related(
        Prefetch("updates", queryset=ProgressUpdate.objects.order_by("created_at", "id")))
    years = sorted({y for y in qs.values_list("year", flat=True)}, reverse=True)
    year = year_param(request, 0)
    if year:
        qs = qs.filter(year=year)
    status = request.GET.get("status", "")
    if status in FollowUp.Status.values:
        qs = qs.filter(status=status)
    page = paginate(request, qs.order_by("-year", "status", "id"))
    return render(request, "supervision/follow_ups.html", {
        "page": page, "years": years, "year": year, "status": status, "statuses": FollowUp.Status.choices,
        "is_unit": role == Role.UNIT, "is_staff": role == Role.STAFF,
        "next_year": timezone.localdate().year, "crumbs": [HOME, Crumb("跨年度跟踪")],
    })


@roles_required(Role.STAFF, message="该操作仅供提案委员会工作人员使用")
@require_POST
def open_follow_ups(request):
    committee = profile_of(request.user).committee
    year = year_param(request, timezone.localdate().year)
    try:
        created = supervision.open_follow_ups(actor=request.user, committee=committee, year=year)
    except DomainError as e:
        raise_for_access(e)
        messages.error(request, e.message)
    else:
        messages.success(request, f"{year}年跟踪事项已开启：新建{len(created)}项（已有的不重复创建）。")
    return redirect("supervision:follow_ups")


@roles_required(Role.UNIT, message="跟踪进展由承办单位报送")
@require_POST
def post_update(request, pk: int):
    item = selectors.follow_ups_visible_to(request.user).filter(pk=pk).first()
    if item is None:
        raise Http404("跟踪事项不存在")
    data = request.POST
    if data.get("kind") == "supplementary":
        return run(request, lambda: supervision.submit_supplementary_reply(
            item, actor=request.user, body=data.get("note", ""), signer=data.get("signer", ""),
            doc_no=data.get("doc_no", ""), status=data.get("status") or None, percent=data.get("percent")),
            "补充答复已发送，提案人可在提案页面查看。", reverse("supervision:follow_ups"))
    return run(request, lambda: supervision.post_progress_update(
        item, actor=request.user, status=data.get("status", ""), percent=data.get("percent"),
        note=data.get("note", "")), "进展已报送。", reverse("supervision:follow_ups"))


# ---- the member's performance record -----------------------------------------------------------

@roles_required(Role.MEMBER, message="履职档案仅供委员本人查看")
def my_record(request):
    return record_page(request, request.user)


@roles_required(Role.STAFF, Role.LEADER, message="委员履职档案仅供提案委员会工作人员和领导查看")
def member_record(request, user_id: int):
    committee_id = profile_of(request.user).committee_id
    member = User.objects.filter(pk=user_id, profile__committee_id=committee_id,
                                 profile__role=Role.MEMBER).select_related("profile").first()
    if member is None:
        raise Http404("委员不存在")
    return record_page(request, member)


def record_page(request, member):
    committee = member.profile.committee
    years = years_with_sessions(committee)
    year = year_param(request, 0) or None
    return render(request, "supervision/member_record.html", {
        "member": member, "record": selectors.member_record(member, year=year), "years": years, "year": year,
        "crumbs": [HOME, Crumb(f"{member.profile.display_name}的履职档案")],
    })


# ---- excellent proposals -----------------------------------------------------------------------

@login_required
def excellent(request):
    """The published excellent proposals; staff also see and review the nominations; units and staff nominate."""
    profile = profile_of(request.user)
    if profile is None:
        raise Http404()
    role = role_of(request.user)
    if request.method == "POST":
        if role not in (Role.UNIT, Role.STAFF):
            raise Http404()
        try:
            proposal = get_visible_proposal(request.user, request.POST.get("proposal"))
        except DomainError:
            messages.error(request, "请选择已答复或办结的提案")
            return redirect("supervision:excellent")
        return run(request, lambda: supervision.nominate_excellent(
            proposal, actor=request.user, reason=request.POST.get("reason", ""),
            year=year_param(request, timezone.localdate().year)),
            "已推荐为优秀提案候选。", reverse("supervision:excellent"))
    candidates = []
    if role in (Role.UNIT, Role.STAFF):
        candidates = (proposals_visible_to(request.user).filter(state__in=[State.REPLIED, State.CLOSED])
                      .select_related("committee", "session").order_by("-session__year", "number")[:300])
    return render(request, "supervision/excellent.html", {
        "published": selectors.published_excellent(profile.committee_id)[:200],
        "nominations": selectors.excellent_for_staff(request.user)[:300],
        "candidates": candidates, "year": timezone.localdate().year, "can_nominate": role in (Role.UNIT, Role.STAFF),
        "crumbs": [HOME, Crumb("优秀提案")],
    })


@roles_required(Role.STAFF, message="该操作仅供提案委员会工作人员使用")
@require_POST
def review_excellent(request, pk: int):
    nomination = selectors.excellent_for_staff(request.user).filter(pk=pk).first()
    if nomination is None:
        raise Http404("推荐不存在")
    return run(request, lambda: supervision.review_excellent(
        nomination, actor=request.user, decision=request.POST.get("decision", ""), note=request.POST.get("note", "")),
        "评审结果已记录。", reverse("supervision:excellent"))


@roles_required(Role.STAFF, message="该操作仅供提案委员会工作人员使用")
@require_POST
def publish_excellent(request):
    committee = profile_of(request.user).committee
    year = year_param(request, timezone.localdate().year)
    return run(request, lambda: supervision.publish_excellent(actor=request.user, committee=committee, year=year),
               f"{year}年度优秀提案已公布。", reverse("supervision:excellent"))


# ---- city–county linkage -----------------------------------------------------------------------

@roles_required(Role.STAFF, Role.LEADER, message="汇总统计仅供提案委员会工作人员和领导查看")
def combined(request):
    committee = profile_of(request.user).committee
    years = years_with_sessions(committee)
    year = year_param(request, years[0] if years else timezone.localdate().year)
    return render(request, "supervision/combined.html", {
        "data": combined_statistics(year=year, committee=committee), "years": years, "year": year,
        "crumbs": [HOME, Crumb("市县汇总统计")],
    })


@roles_required(Role.STAFF, message="转办由提案委员会工作人员办理")
def transfer(request, pk: int):
    """Transfer (转办) a submitted proposal to the parent committee or one of the county committees."""
    try:
        proposal = get_visible_proposal(request.user, pk)
    except DomainError as e:
        raise_for_access(e)
        raise
    error = None
    if request.method == "POST":
        try:
            copy = linkage.transfer_proposal(proposal, actor=request.user,
                                             to_committee=request.POST.get("to_committee", ""),
                                             note=request.POST.get("note", ""))
        except DomainError as e:
            raise_for_access(e)
            error = e
        else:
            messages.success(request, f"已转至{copy.committee.name}，对方审查后办理；双方均可查看转办经过。")
            return redirect("proposals:detail", pk=pk)
    return render(request, "supervision/transfer.html", {
        "proposal": proposal, "targets": linkage.linked_committees(proposal.committee), "error": error,
        "values": request.POST, "crumbs": [HOME, Crumb(proposal.title, reverse("proposals:detail", args=[pk])),
                                           Crumb("转办")],
    }, status=error.status if error else 200)
