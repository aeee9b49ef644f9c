from django.urls import path

from jianyan.leads import views

app_name = "leads"
urlpatterns = [
    path("new/", views.submit, name="submit"),
    path("thanks/", views.thanks, name="thanks"),
    path("", views.browse, name="browse"),
    path("moderate/", views.moderate, name="moderate"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("<int:pk>/draft/", views.draft, name="draft"),
]
