from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "rightdesk.core"
    label = "core"
