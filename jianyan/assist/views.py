"""htmx fragments: a page includes them with hx-get / hx-post and swaps the returned HTML in.

- ``assist:similar_fragment`` GET ?title=&body=[&exclude=ID]: similar proposals the user may see, while
  a draft is typed (the caller debounces, e.g. ``hx-trigger="keyup changed delay:400ms"``).
- ``assist:precheck_fragment`` POST (or GET) title, background, suggestions (repeated) or text: the
  draft pre-check's findings under the user's committee's rules.
- ``assist:review_fragment`` GET: for staff reviewing a proposal, its 并案 candidates with the shared
  passages marked, and the suggested theme and units.

And one page, ``assist:session_overview``: a session's hot topics, its duplicate clusters to merge before
the 交办会 (loaded as the fragment ``assist:clusters_fragment``), and how often staff took the suggestions.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from jianyan.assist import acceptance, clusters, services
from jianyan.core.access import profile_of
from jianyan.core.errors import DomainError, NotAllowed, NotFound
from jianyan.people.models import Session
from jianyan.workspace.web import Crumb, staff_required


def _int(value) -> int | None:
    try:
        n = int(value)
    except (TypeError, ValueError):
        return None
    return n if 0 < n < 2**63 else None


@login_required
@require_GET
def similar_fragment(request):
    title, body = request.GET.get("title", ""), request.GET.get("body", "")
    top = _int(request.GET.get("top")) or services.TOP
    exclude = [n] if (n := _int(request.GET.get("exclude"))) else []
    items, error = [], ""
    if title.strip() or body.strip():
        try:
            items = services.similar_proposals(request.user, title=title, body=body, top=top, exclude=exclude)
        except DomainError as e:
            error = e.message
    return render(request, "assist/similar_list.html",
                  {"items": items, "error": error, "asked": bool(title.strip() or body.strip())})


@login_required
@require_http_methods(["GET", "POST"])
def precheck_fragment(request):
    data = request.POST if request.method == "POST" else request.GET
    try:
        committee = services.committee_of(request.user)
    except DomainError:
        committee = None
    if data.get("text", "").strip():
        draft, findings = services.precheck_text(data["text"], committee)
    else:
        items = data.getlist("suggestions")  # one input per suggestion, or one textarea with one per line
        suggestions = items if len(items) > 1 else [s for item in items for s in item.splitlines()]
        findings = services.precheck(title=data.get("title", ""), background=data.get("background", ""),
                                     suggestions=suggestions, committee=committee)
    return render(request, "assist/precheck_findings.html",
                  {"findings": findings, "counts": services.precheck_summary(findings)})


@login_required
@require_GET
def review_fragment(request, pk: int):
    try:
        duplicates, suggestions = services.review_assistance(request.user, pk)
    except NotFound as e:
        raise Http404(e.message)
    except NotAllowed as e:
        raise PermissionDenied(e.message)
    return render(request, "assist/review_panel.html",
                  {"duplicates": duplicates, "suggestions": suggestions, "proposal_id": pk})


def staff_session(request, session_pk: int | None) -> tuple[Session | None, list[Session]]:
    """The session asked for (or the latest) among the staff member's committee's sessions."""
    sessions = list(Session.objects.filter(term__committee_id=profile_of(request.user).committee_id)
                    .select_related("term__committee").order_by("-year", "-sitting"))
    if session_pk is None:
        return (sessions[0] if sessions else None), sessions
    chosen = next((s for s in sessions if s.pk == session_pk), None)
    if chosen is None:
        raise Http404("没有这个会次")
    return chosen, sessions


@staff_required
@require_GET
def session_overview(request):
    session, sessions = staff_session(request, _int(request.GET.get("session")))
    committee = profile_of(request.user).committee
    keywords = services.hot_keywords(session, top=20) if session else []
    top = keywords[0][1] if keywords else 0
    return render(request, "assist/session_overview.html", {
        "session": session, "sessions": sessions,
        "keywords": [(word, n, top) for word, n in keywords],
        "acceptance": acceptance.acceptance(committee.pk, session_id=session.pk if session else None),
        "crumbs": [Crumb("工作台", reverse("workspace:home")), Crumb("并案与热点")],
    })


@staff_required
@require_GET
def clusters_fragment(request, session_pk: int):
    session, _ = staff_session(request, session_pk)
    committee = profile_of(request.user).committee
    found = clusters.duplicate_clusters(committee, session.pk)
    return render(request, "assist/clusters.html", {
        "clusters": found, "session": session,
        "back": f"{reverse('assist:session_overview')}?session={session.pk}",
    })


MAX_HOSTS = 10


@staff_required
@require_GET
def merge_hosts(request, pk: int):
    """Registered proposals a proposal under review may be merged into: without a query its 并案 candidates,
    with one those whose number or title matches."""
    try:
        hosts = services.merge_hosts(request.user, pk, query=request.GET.get("q", ""), top=MAX_HOSTS)
    except NotFound as e:
        raise Http404(e.message)
    except NotAllowed as e:
        raise PermissionDenied(e.message)
    return render(request, "assist/merge_hosts.html", {
        "hosts": hosts, "query": request.GET.get("q", "").strip()[:50],
        "selected": request.GET.get("selected", "").strip(),
    })
