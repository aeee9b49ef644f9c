"""htmx fragments: a page includes them with hx-get / hx-post and swaps the returned HTML in.

- ``assist:similar_fragment`` GET ?title=&body=[&exclude=ID]: similar proposals the user may see, while
  a draft is typed (the caller debounces, e.g. ``hx-trigger="keyup changed delay:400ms"``).
- ``assist:precheck_fragment`` POST (or GET) title, background, suggestions (repeated) or text: the
  draft pre-check's findings under the user's committee's rules.
- ``assist:review_fragment`` GET: for staff reviewing a proposal, its 并案 candidates with the shared
  passages marked, and the suggested theme and units.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from jianyan.assist import services
from jianyan.core.errors import DomainError, NotAllowed, NotFound


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
        duplicates = services.duplicate_candidates(request.user, pk)
        suggestions = services.suggestions_for(request.user, pk)
    except NotFound as e:
        raise Http404(e.message)
    except NotAllowed as e:
        raise PermissionDenied(e.message)
    return render(request, "assist/review_panel.html",
                  {"duplicates": duplicates, "suggestions": suggestions, "proposal_id": pk})
