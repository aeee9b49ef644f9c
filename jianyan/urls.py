from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("jianyan.api.urls")),
    path("assist/", include("jianyan.assist.urls")),
    path("leads/", include("jianyan.leads.urls")),
    path("documents/", include("jianyan.documents.urls")),
    path("reports/", include("jianyan.reports.urls")),
    path("supervision/", include("jianyan.supervision.urls")),
    path("deadlines/", include("jianyan.workdays.urls")),
    path("exchange/", include("jianyan.exchange.urls")),
    path("", include("jianyan.core.urls")),
    path("", include("jianyan.workspace.urls")),
    path("", include("jianyan.disclosure.urls")),
    path("", include("jianyan.portal.urls")),
]

# A database outage raised outside a view (loading the session...) answers 503, not 500 (core/outage.py).
handler500 = "jianyan.core.outage.server_error"
