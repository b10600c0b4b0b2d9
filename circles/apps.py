from django.apps import AppConfig


class CirclesConfig(AppConfig):
    name = "circles"

    def ready(self):
        # Declares this app's audit verbs and notification kinds in every process.
        import circles.services  # noqa: F401
