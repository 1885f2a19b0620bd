"""URLs of the agent console, mounted at /desk/."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import URLPattern, path

from rightdesk.desk import views

app_name = "desk"
urlpatterns: list[URLPattern] = [
    path(
        "login/",
        views.DeskLoginView.as_view(
            template_name="desk/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.queue, name="queue"),
    path("search/", views.search, name="search"),
    path("tickets/new/", views.ticket_new, name="ticket_new"),
    path("tickets/<str:ref>/", views.ticket_detail, name="ticket"),
    path("tickets/<str:ref>/<str:action>/", views.ticket_action, name="ticket_action"),
    path("customers/<int:customer_id>/", views.customer_detail, name="customer"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
]
