"""When the database cannot be reached (restarting, failing over, overloaded), every page answers at once with a
503 "数据库暂时不可用，请稍后重试" instead of a 500 or a traceback, and the site recovers by itself when the
database is back: Django opens a new connection for the next request (settings: CONN_HEALTH_CHECKS drops a
persistent connection the restart broke before it is used).

Two ways in: the middleware turns a database error raised by a view into the 503 (with DEBUG on as well), and
`server_error` (handler500) does it for one raised in a middleware, such as loading the session; the JSON API
has its own handler (api/errors.py)."""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views import defaults

MESSAGE = "数据库暂时不可用，请稍后重试"
RETRY_AFTER_SECONDS = 30
DATABASE_ERRORS = (OperationalError, InterfaceError)
logger = logging.getLogger("jianyan.outage")


def database_unavailable(request) -> HttpResponse:
    """The 503 answer: JSON under /api/, a page of its own (no database needed to render it) elsewhere."""
    if request.path.startswith("/api/"):
        response = JsonResponse({"error": {"code": "unavailable", "message": MESSAGE}}, status=503,
                                json_dumps_params={"ensure_ascii": False})
    else:
        response = HttpResponse(render_to_string("503.html", {"message": MESSAGE}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_ERRORS):
            logger.warning("database unavailable on %s %s: %s", request.method, request.path, exception)
            return database_unavailable(request)
        return None


def server_error(request, template_name: str = "500.html"):
    """handler500: Django calls it while handling the exception, so sys.exc_info() is the error."""
    if isinstance(sys.exc_info()[1], DATABASE_ERRORS):
        return database_unavailable(request)
    return defaults.server_error(request, template_name=template_name)
