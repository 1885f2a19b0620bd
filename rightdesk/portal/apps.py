from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "rightdesk.portal"
    label = "portal"
    verbose_name = "Customer portal"
    default_auto_field = "django.db.models.BigAutoField"
