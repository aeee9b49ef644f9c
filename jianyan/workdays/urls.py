from django.urls import path

from jianyan.workdays import views

app_name = "workdays"

urlpatterns = [
    path("proposals/<int:pk>/extension/", views.request_extension, name="request_extension"),
    path("extensions/<int:pk>/decide/", views.decide_extension, name="decide_extension"),
    path("extensions/", views.extensions, name="extensions"),
    path("overdue/", views.overdue, name="overdue"),
    path("preferences/", views.preferences, name="preferences"),
]
