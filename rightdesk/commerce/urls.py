"""Commerce console pages, mounted at /desk/shop/."""

from __future__ import annotations

from django.urls import URLPattern, path

from rightdesk.commerce import views

app_name = "commerce"
urlpatterns: list[URLPattern] = [
    path("refunds/", views.refunds_manager, name="refunds"),
]
