from django.urls import path

from jianyan.disclosure import views

app_name = "disclosure"
urlpatterns = [
    path("staff/publication/", views.manage, name="manage"),
    path("staff/publication/<int:pk>/", views.edit, name="edit"),
    path("staff/publication/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("staff/publication/<int:pk>/secret/", views.secret, name="secret"),
    path("proposals/<int:pk>/publication-consent/", views.consent, name="consent"),
]
