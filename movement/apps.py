from django.apps import AppConfig


class MovementConfig(AppConfig):
    name = "movement"

    def ready(self):
        # Declares this app's audit verbs, notification kinds and needs in every process.
        import movement.needs  # noqa: F401
        import movement.personal_data  # noqa: F401
        import movement.services  # noqa: F401
