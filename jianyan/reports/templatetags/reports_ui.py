from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def counted(number, url=None, label=""):
    """A count that links to the list of what it counts (when there is a list for this viewer)."""
    if not url:
        return format_html("{}", number)
    title = f"查看这 {number} 件{label}" if label else f"查看这 {number} 件提案"
    return format_html('<a href="{}" title="{}">{}</a>', url, title, number)
