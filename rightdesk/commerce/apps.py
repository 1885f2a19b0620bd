from django.apps import AppConfig


class CommerceConfig(AppConfig):
    name = "rightdesk.commerce"
    label = "commerce"
    verbose_name = "Purchases and refunds"
    default_auto_field = "django.db.models.BigAutoField"
