"""Small display helpers of the workspace templates: state colours, days left, dictionary lookups."""

import datetime as dt

from django import template
from django.utils import timezone

from jianyan.workspace.web import options_html

register = template.Library()

STATE_TONES = {
    "draft": "muted", "cosigning": "muted", "submitted": "info", "returned": "warn", "registered": "info",
    "not_registered": "danger", "merged": "muted", "converted": "muted", "assigned": "info",
    "return_requested": "warn", "handling": "info", "reply_audit": "info", "replied": "good",
    "rehandling": "warn", "closed": "good",
}


@register.filter
def state_tone(state: str) -> str:
    return STATE_TONES.get(str(state), "muted")


@register.filter
def get(mapping, key):
    if mapping in (None, ""):
        return ""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


@register.simple_tag
def choice_options(items, selected="", label="name") -> str:
    """<option>s of model rows (value: the id, text: the `label` attribute), those whose id is `selected` (one
    value or a list of them) selected; for the public list's filters and the batch assignment's unit lists."""
    chosen = {str(v) for v in selected} if isinstance(selected, (list, tuple, set)) else {str(selected)}
    return options_html(((item.pk, getattr(item, label)) for item in items), chosen)


@register.filter
def days_left(day) -> int | None:
    if isinstance(day, dt.datetime):
        day = timezone.localtime(day).date()
    if not isinstance(day, dt.date):
        return None
    return (day - timezone.localdate()).days


@register.filter
def days_text(day) -> str:
    n = days_left(day)
    if n is None:
        return ""
    if n > 0:
        return f"剩余 {n} 天"
    if n == 0:
        return "今天到期"
    return f"已超期 {-n} 天"


@register.filter
def percent(value) -> str:
    try:
        return f"{float(value) * 100:.1f}%"
    except (TypeError, ValueError):
        return "—"


@register.filter
def as_str(value) -> str:
    return "" if value is None else str(value)


@register.filter
def state_label(state) -> str:
    from jianyan.proposals.models import State

    try:
        return State(state).label
    except ValueError:
        return ""
