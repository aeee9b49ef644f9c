"""Downloads of documents: /documents/... in the namespace `documents`."""

from django.urls import path

from jianyan.documents import views

app_name = "documents"

urlpatterns = [
    path("proposals/<int:pk>/<slug:kind>.<str:fmt>", views.proposal_document, name="proposal"),
    path("units/<int:unit_pk>/assignments.<str:fmt>", views.unit_assignment_list, name="unit_assignments"),
    path("sessions/<int:pk>/compilation.<str:fmt>", views.session_compilation, name="compilation"),
    path("sessions/<int:pk>/compilation/", views.compilation_jobs, name="compilation_jobs"),
    path("sessions/<int:pk>/compilation/jobs/", views.compilation_jobs_panel, name="compilation_jobs_panel"),
    path("sessions/<int:pk>/compilation/start/", views.compilation_start, name="compilation_start"),
    path("sessions/<int:pk>/compilation/<int:job_pk>/download/", views.compilation_file, name="compilation_file"),
    path("annual/<int:year>.<str:fmt>", views.annual_report, name="annual"),
]
