"""Small helpers every workspace page shares: roles, pagination, breadcrumbs, htmx, and turning the
workflow's domain errors into what a page shows (404, the 403 page, or the form again with the message)."""

import html
from dataclasses import dataclass, field
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.safestring import SafeString, mark_safe

from jianyan.core.access import role_of
from jianyan.core.errors import DomainError, NotAllowed, NotFound
from jianyan.core.security import safe_next  # noqa: F401  (the pages import it from here)
from jianyan.people.models import Role

PAGE_SIZE = 20


def options_html(pairs, chosen=frozenset()) -> SafeString:
    """<option>s of (value, label) pairs, those whose value is in `chosen` selected. Plain string building with
    the standard library's html.escape (the same five characters as Django's), neither a template loop nor
    format_html: the batch assignment page has 2,700 options (~250 ms as a loop), the co-signer suggestions a
    committee's 800 members (format_html per row: 60 % of the new-proposal form's time)."""
    return mark_safe("".join(  # noqa: S308 (values and labels are escaped)
        f'<option value="{html.escape(str(value))}"{" selected" if str(value) in chosen else ""}>'
        f'{html.escape(str(label))}</option>' for value, label in pairs))


@dataclass(frozen=True)
class Crumb:
    label: str
    url: str = ""


def paginate(request, queryset, per_page: int = PAGE_SIZE, *, count: int | None = None) -> Page:
    """One count query and one page query, whatever the size of the queryset; no count query when the page
    already counted these rows (a tab's count among the tab counts)."""
    paginator = Paginator(queryset, per_page)
    if count is not None:
        paginator.count = count
    return paginator.get_page(request.GET.get("page"))


def is_htmx(request) -> bool:
    """An htmx request for a fragment (not a boosted link, not a history restore, which need the whole page)."""
    headers = request.headers
    return (headers.get("HX-Request") == "true" and headers.get("HX-Boosted") != "true"
            and headers.get("HX-History-Restore-Request") != "true")


def render_results(request, template: str, context: dict, *, extra=None):
    """The whole page, or for htmx only its `results` partial (Django template partials)."""
    if is_htmx(request):
        response = render(request, f"{template}#results", context)
    else:
        response = render(request, template, {**context, **(extra() if extra else {})})
    patch_vary_headers(response, ["HX-Request"])
    return response


def raise_for_access(error: DomainError) -> None:
    """NotFound becomes the 404 page and NotAllowed the 403 page; other errors are left to the caller."""
    if isinstance(error, NotFound):
        raise Http404(error.message)
    if isinstance(error, NotAllowed):
        raise PermissionDenied(error.message)


def error_status(error: DomainError) -> int:
    return error.status if error.status in (400, 409) else 400


def roles_required(*roles: str, message: str = "该页面仅供相应岗位的工作人员使用"):
    """The page is for these roles; anyone else who is logged in gets the 403 page."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if role_of(request.user) not in roles:
                raise PermissionDenied(message)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


staff_required = roles_required(Role.STAFF, message="该页面仅供提案委员会工作人员使用")


@dataclass
class FormState:
    """What a form shows again after an error: the user's input, the field messages and the message."""

    values: dict = field(default_factory=dict)
    lists: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)
    message: str = ""

    @classmethod
    def from_error(cls, request, error: DomainError) -> "FormState":
        lists = {k: v for k, v in request.POST.lists() if k != "csrfmiddlewaretoken"}
        return cls(values={k: v[-1] for k, v in lists.items()}, lists=lists, errors=dict(error.fields),
                   message=error.message)


