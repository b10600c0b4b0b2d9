from django.apps import AppConfig


class MovementConfig(AppConfig):
    name = "movement"
