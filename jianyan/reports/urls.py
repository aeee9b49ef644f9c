from django.urls import path

from jianyan.reports import views

app_name = "reports"

urlpatterns = [
    path("stats/", views.statistics_page, name="stats"),
]
