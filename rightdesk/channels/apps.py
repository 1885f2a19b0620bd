from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "rightdesk.channels"
    label = "channels"
    verbose_name = "E-mail"
