from django.urls import path

from jianyan.core import health, views

app_name = "core"
urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("account/2fa/setup/", views.otp_setup, name="otp_setup"),
    path("account/2fa/verify/", views.otp_verify, name="otp_verify"),
]
