from django.urls import path

from rightdesk.channels import views

app_name = "channels"

urlpatterns = [
    path("attachments/<int:attachment_id>/", views.attachment, name="attachment"),
    path("messages/<int:raw_id>/original.eml", views.original, name="original"),
]
