"""Console pages of the promises domain, mounted under /desk/."""

from django.urls import path

from rightdesk.commitments import views

app_name = "promises"
urlpatterns = [
    path("promises/", views.my_promises_view, name="mine"),
    path("promises/manager/", views.manager_view, name="manager"),
    path("promises/ticket/<str:ref>/", views.ticket_promises_partial, name="ticket"),
    path("promises/ticket/<str:ref>/draft/", views.draft_promises, name="draft"),
    path("promises/<int:commitment_id>/<str:action>/", views.promise_action, name="action"),
    path("notifications/", views.notifications_view, name="notifications"),
]
