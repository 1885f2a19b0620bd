from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "rightdesk.quality"
    label = "quality"
    verbose_name = "Reply check"
    default_auto_field = "django.db.models.BigAutoField"
