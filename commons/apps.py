from django.apps import AppConfig


class CommonsConfig(AppConfig):
    name = "commons"
