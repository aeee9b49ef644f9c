from django.urls import path, re_path

from jianyan.api.errors import json_fallbacks, not_found
from jianyan.api.main import api

ninja_patterns, ninja_app, ninja_namespace = api.urls
for pattern in ninja_patterns:
    # ninja answers a wrong method with plain text and its root with an HTML 404: make both JSON.
    pattern.callback = json_fallbacks(pattern.callback)

urlpatterns = [
    path("", (ninja_patterns, ninja_app, ninja_namespace)),
    re_path(r"", not_found, name="api-not-found"),
]
