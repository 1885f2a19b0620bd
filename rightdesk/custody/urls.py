"""Custody console pages, mounted at /desk/custody/."""

from __future__ import annotations

from django.urls import URLPattern, path

from rightdesk.custody import views

app_name = "custody"
urlpatterns: list[URLPattern] = [
    path("", views.where, name="where"),
    path("lot-walk/", views.walk, name="lot_walk"),
    path("lot-walk/<int:item_id>/confirm/", views.confirm, name="confirm"),
    path("queue/", views.queue, name="queue"),
]
