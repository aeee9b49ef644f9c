"""Whole public pages for visitors who are not logged in, kept under the publication version.

The data under a public page is cached already (jianyan.disclosure.public), but rendering the page still cost
3–16 ms of CPU, and in a session's opening week the public's reads are half of all requests
(bench/load_bench.py). Every anonymous visitor of one address (scheme, host, path and query) sees the same
page except for two things: large-font mode, which is part of the key, and the CSRF token of the page's forms
(the font-size switch), which is personal. It is cut out of the stored copy and each visitor's own token is put
in when the page is served, so the forms keep working and no visitor ever receives another's token.

Not cached: logged-in users (their name and menu are in the frame), pages that carry a message for this
visitor, anything but a 200 answer to a GET, and addresses with a parameter the public pages do not read or
longer than any they link to: anyone can add ?x=<random> to an address, and each would be a new copy in the
cache (Redis keeps them for ten minutes whatever its size)."""

import re
from dataclasses import fields
from functools import wraps

from django.contrib.messages import get_messages
from django.http import HttpResponse
from django.middleware.csrf import get_token

from jianyan.disclosure import public
from jianyan.workspace.context import FONT_COOKIE

CSRF_HOLE = "jianyan-csrf-token-of-this-visitor"
CSRF_IN_FORM = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')
# What the public pages read from the query string: the list's filters (named as public.Filters' fields, which
# Filters.from_query reads), the page number, the statistics' year.
PAGE_PARAMETERS = frozenset({f.name for f in fields(public.Filters)} | {"page", "year"})
MAX_KEPT_ADDRESS = 600  # characters of path and query, percent-encoded (a Chinese character is 9)


def is_cacheable(request) -> bool:
    return (request.method in ("GET", "HEAD") and set(request.GET) <= PAGE_PARAMETERS
            and len(request.get_full_path()) <= MAX_KEPT_ADDRESS
            and not request.user.is_authenticated and not len(get_messages(request)))


def page_key(request) -> tuple:
    # the whole address: a page's canonical link is built from the scheme and host it was asked for
    return request.build_absolute_uri(), request.COOKIES.get(FONT_COOKIE) == "large", request.LANGUAGE_CODE


def stored_copy(response) -> tuple[str, str] | None:
    """The page with its CSRF token cut out, or None if the answer is not one to keep."""
    if response.status_code != 200 or response.streaming or response.cookies:
        return None
    content = response.content.decode(response.charset)
    token = CSRF_IN_FORM.search(content)
    if token:
        content = content.replace(token.group(1), CSRF_HOLE)
    return content, response["Content-Type"]


def served_copy(request, stored: tuple[str, str]) -> HttpResponse:
    content, content_type = stored
    if CSRF_HOLE in content:
        # get_token also has the visitor's CSRF cookie set, as rendering the page would
        content = content.replace(CSRF_HOLE, get_token(request))
    return HttpResponse(content, content_type=content_type)


def anonymous_page_cache(view):
    """The view's page for anonymous visitors, from the public cache when it is there."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_cacheable(request):
            return view(request, *args, **kwargs)
        rendered = []

        def render():
            response = view(request, *args, **kwargs)
            rendered.append(response)
            return stored_copy(response)

        stored = public.cached_figure("page", render, *page_key(request))
        if rendered:
            return rendered[0]
        if stored is None:  # an answer not to keep (a redirect, say), noted by an earlier request
            return view(request, *args, **kwargs)
        return served_copy(request, stored)

    return wrapper
