"""The console's mail page, mounted at /desk/mail/."""

from __future__ import annotations

from django.urls import URLPattern, path

from rightdesk.channels import desk_views

app_name = "mail"
urlpatterns: list[URLPattern] = [
    path("", desk_views.attention, name="attention"),
    path("held/<int:raw_id>/join/", desk_views.join, name="join"),
    path("held/<int:raw_id>/separate/", desk_views.separate, name="separate"),
    path("quarantined/<int:raw_id>/retry/", desk_views.retry, name="retry"),
    path("failed/<int:outbound_id>/resend/", desk_views.resend, name="resend"),
]
