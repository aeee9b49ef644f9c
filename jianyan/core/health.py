"""`/healthz`: "ok" when the process answers, for load balancers and for the load test's ceiling (the
throughput of the same server on a page that does no work). It touches neither the database nor the
session, so a slow database does not take the web process out of rotation."""

from django.http import HttpResponse
from django.views.decorators.http import require_GET


@require_GET
def healthz(request):
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")
