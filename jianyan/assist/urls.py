"""htmx fragments of text assistance, for the workspace pages to include (namespace ``assist``)."""

from django.urls import path

from jianyan.assist import views

app_name = "assist"

urlpatterns = [
    path("similar/", views.similar_fragment, name="similar_fragment"),
    path("precheck/", views.precheck_fragment, name="precheck_fragment"),
    path("proposals/<int:pk>/review/", views.review_fragment, name="review_fragment"),
    path("proposals/<int:pk>/merge-hosts/", views.merge_hosts, name="merge_hosts"),
    path("sessions/", views.session_overview, name="session_overview"),
    path("sessions/<int:session_pk>/clusters/", views.clusters_fragment, name="clusters_fragment"),
]
