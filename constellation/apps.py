from django.apps import AppConfig


class ConstellationConfig(AppConfig):
    """The roof: settings, URLs, the Celery app, and the pages that read every app."""

    name = "constellation"
