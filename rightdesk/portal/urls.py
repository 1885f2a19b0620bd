"""Customer portal pages, mounted at /portal/."""

from __future__ import annotations

from django.urls import URLPattern, path

from rightdesk.portal import views

app_name = "portal"
urlpatterns: list[URLPattern] = [
    path("", views.home, name="home"),
    path("contact/", views.contact, name="contact"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-in/<str:token>/", views.use_link, name="use_link"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("requests/<str:ref>/", views.ticket, name="ticket"),
    path("items/", views.items, name="items"),
    path("items/<int:item_id>/", views.item, name="item"),
    path("orders/", views.orders, name="orders"),
    path("orders/<int:order_id>/", views.order, name="order"),
]
