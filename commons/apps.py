from django.apps import AppConfig


class CommonsConfig(AppConfig):
    name = "commons"

    def ready(self):
        # Declares this app's audit verbs and notification kinds in every process.
        import commons.services  # noqa: F401
