from django.apps import AppConfig


class CommitmentsConfig(AppConfig):
    name = "rightdesk.commitments"
    label = "commitments"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Promises"
