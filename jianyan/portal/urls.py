from django.contrib.auth import views as auth_views
from django.urls import path

from jianyan.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="portal/login.html", redirect_authenticated_user=True),
         name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("public/", views.proposals, name="proposals"),
    path("public/proposals/<int:pk>/", views.proposal, name="proposal"),
    path("public/units/", views.units, name="units"),
    path("public/units/<int:pk>/", views.unit, name="unit"),
    path("public/statistics/", views.statistics, name="statistics"),
    path("public/feed.atom", views.feed, name="feed"),
    path("open-data/", views.open_data, name="open_data"),
    path("open-data/proposals.csv", views.open_data_csv, name="open_data_csv"),
    path("open-data/proposals.json", views.open_data_json, name="open_data_json"),
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("robots.txt", views.robots, name="robots"),
]
