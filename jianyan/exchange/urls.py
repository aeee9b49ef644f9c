from django.urls import path

from jianyan.exchange import views

app_name = "exchange"

urlpatterns = [
    path("export/", views.download, name="export"),
    path("import/", views.upload, name="import"),
    path("import/<int:pk>/", views.batch, name="batch"),
    path("import/<int:pk>/progress/", views.progress, name="progress"),
    path("import/<int:pk>/check/", views.check, name="check"),
    path("import/<int:pk>/run/", views.run, name="run"),
]
