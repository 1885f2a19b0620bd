from django.apps import AppConfig


class CustodyConfig(AppConfig):
    name = "rightdesk.custody"
    label = "custody"
    verbose_name = "Items in our custody"
    default_auto_field = "django.db.models.BigAutoField"
