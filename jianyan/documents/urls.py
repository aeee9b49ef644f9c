"""Downloads of documents: /documents/... in the namespace `documents`."""

from django.urls import path

from jianyan.documents import views

app_name = "documents"

urlpatterns = [
    path("proposals/<int:pk>/<slug:kind>.<str:fmt>", views.proposal_document, name="proposal"),
    path("units/<int:unit_pk>/assignments.<str:fmt>", views.unit_assignment_list, name="unit_assignments"),
    path("sessions/<int:pk>/compilation.<str:fmt>", views.session_compilation, name="compilation"),
    path("annual/<int:year>.<str:fmt>", views.annual_report, name="annual"),
]
