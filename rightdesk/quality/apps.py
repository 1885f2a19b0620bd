from pathlib import Path

from django.apps import AppConfig
from django.conf import settings


class QualityConfig(AppConfig):
    name = "rightdesk.quality"
    label = "quality"
    verbose_name = "Reply check"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from rightdesk.quality.engine import tonemodel

        # Trained tone models are kept in the data folder, shared by the web processes
        # and the worker, and across restarts.
        data = getattr(settings, "DATA_DIR", None)
        if data is not None:
            tonemodel.set_cache_dir(Path(data) / "cache", settings.SECRET_KEY.encode())
