from django.apps import AppConfig


class MovementConfig(AppConfig):
    name = "movement"

    def ready(self):
        # Declares this app's audit verbs and notification kinds in every process.
        import movement.services  # noqa: F401
