"""Console pages of the reply check, mounted under /desk/."""

from __future__ import annotations

from django.urls import URLPattern, path

from rightdesk.quality import views

app_name = "quality"
urlpatterns: list[URLPattern] = [
    path("reply-check/<str:ref>/", views.reply_check, name="reply_check"),
    path("quality/", views.quality_report, name="report"),
]
