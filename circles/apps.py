from django.apps import AppConfig


class CirclesConfig(AppConfig):
    name = "circles"

    def ready(self):
        # Declares this app's audit verbs and notification kinds in every process.
        import circles.needs  # noqa: F401
        import circles.personal_data  # noqa: F401
        import circles.services  # noqa: F401
