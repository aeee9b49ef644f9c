from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("jianyan.api.urls")),
    path("assist/", include("jianyan.assist.urls")),
    path("", include("jianyan.workspace.urls")),
    path("", include("jianyan.portal.urls")),
]
