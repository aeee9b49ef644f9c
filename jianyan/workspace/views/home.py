"""/workspace/: each role lands on its own page — members and clerks on their proposals, staff on the
committee's work in progress, unit liaisons on their inbox, leaders on their dashboard."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from jianyan.core.access import profile_of, role_of
from jianyan.core.errors import DomainError
from jianyan.people.models import Role
from jianyan.proposals.models import State
from jianyan.reports.statistics import year_statistics, years_with_sessions
from jianyan.supervision import workflow as supervision
from jianyan.workdays.status import annotate_assignments, annotate_proposals
from jianyan.workspace import selectors
from jianyan.workspace.web import Crumb, paginate, render_results, roles_required


@login_required
def home(request):
    role = role_of(request.user)
    view = {
        Role.MEMBER: member_home, Role.CLERK: member_home, Role.STAFF: staff_home, Role.UNIT: unit_home,
        Role.LEADER: leader_home,
    }.get(role, other_home)
    return view(request)


def member_home(request):
    tab = request.GET.get("tab") or "todo"
    if tab not in selectors.MEMBER_TABS:
        tab = "todo"
    qs, counts = selectors.member_proposals(request.user, tab)
    page = paginate(request, qs, count=counts[tab])
    for p in page.object_list:
        p.waiting = selectors.waiting_for(p, request.user)
    annotate_proposals(page.object_list)  # the 正常/临期/超期 badge of each row
    context = {"tab": tab, "tabs": selectors.MEMBER_TABS, "counts": counts, "page": page,
               "crumbs": [Crumb("我的提案")]}
    return render_results(request, "workspace/member_home.html", context,
                          extra=lambda: {"invitations": selectors.cosign_invitations(request.user)
                                         if counts["invited"] else []})


def staff_home(request):
    counts = selectors.staff_overview(request.user)
    todo = [
        ("待审查", counts["submitted"], "staff:queue", "state=submitted"),
        ("待交办", counts["registered"], "staff:assign", ""),
        ("退回申请待处理", counts["return_requested"], "staff:returns", ""),
        ("答复待审核", counts["reply_audit"], "staff:audit", ""),
        ("待提案人评价", counts["replied"], "staff:queue", "state=replied"),
    ]
    rows = [(state, State(state).label, n) for state, n in counts.items()]
    return render(request, "workspace/staff_home.html", {
        "rows": rows, "todo": todo, "session": selectors.current_session(request.user),
        "crumbs": [Crumb("工作台")],
    })


def unit_home(request):
    tab = request.GET.get("tab") or "to_sign"
    if tab not in selectors.UNIT_TABS:
        tab = "to_sign"
    qs, counts = selectors.unit_inbox(request.user, tab)
    page = paginate(request, qs, count=counts[tab])
    annotate_assignments(page.object_list)  # .deadline (正常/临期/超期) and .return_deadline, on the working-day calendar
    profile = profile_of(request.user)
    context = {"tab": tab, "tabs": selectors.UNIT_TABS, "counts": counts, "page": page, "unit": profile.unit,
               "crumbs": [Crumb("办理工作台")]}
    return render_results(request, "workspace/unit_home.html", context)


def leader_home(request):
    return dashboard_page(request, crumbs=[Crumb("领导看板")], title="领导看板")


def other_home(request):
    return render(request, "workspace/other_home.html", {"crumbs": [Crumb("工作台")]})


@roles_required(Role.LEADER, Role.STAFF, message="统计看板仅供领导和提案委员会工作人员查看")
def dashboard(request):
    return dashboard_page(request, crumbs=[Crumb("工作台", "/workspace/"), Crumb("统计看板")], title="统计看板")


def dashboard_page(request, *, crumbs, title: str):
    """This year's numbers (reports.statistics), the key proposals with progress, charts by theme and unit."""
    profile = profile_of(request.user)
    committee = profile.committee
    years = years_with_sessions(committee)
    raw = request.GET.get("year", "")
    year = int(raw) if raw.isdigit() and int(raw) in years else (years[0] if years else None)
    stats = year_statistics(year=year, committee=committee) if year else None
    charts = None
    if stats:
        units = stats["by_unit"][:12]
        charts = {
            "themes": [{"name": k, "value": v} for k, v in stats["by_category"].items() if v],
            "units": {"names": [u["unit"] for u in units], "lead": [u["lead"] for u in units],
                      "co": [u["co"] for u in units], "separate": [u["separate"] for u in units]},
        }
    return render(request, "workspace/dashboard.html", {
        "title": title, "years": years, "year": year, "stats": stats, "charts": charts,
        "keys": selectors.key_proposals(request.user), "crumbs": crumbs,
    })


@login_required
@require_POST
def record_key_activity(request, pk: int):
    """Staff, or a leader who leads or supervises the key proposal, record a supervision activity (督办活动)."""
    keys = selectors.key_proposals(request.user) if role_of(request.user) in (Role.STAFF, Role.LEADER) else []
    key = next((k for k in keys if k.pk == pk), None)
    if key is None:
        raise Http404("重点提案不存在或您无权查看")
    data = request.POST
    try:
        supervision.record_supervision_activity(
            key, actor=request.user, form=data.get("form", ""), date=data.get("date", ""),
            participants=data.get("participants", "").strip(), minutes=data.get("minutes", "").strip(),
            attachment=request.FILES.get("attachment"))
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, "督办活动已记录。")
    return redirect(request.POST.get("back") if url_has_allowed_host_and_scheme(
        request.POST.get("back"), allowed_hosts={request.get_host()}) else "workspace:home")
