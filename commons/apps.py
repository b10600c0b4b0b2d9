from django.apps import AppConfig


class CommonsConfig(AppConfig):
    name = "commons"

    def ready(self):
        # Declares this app's audit verbs, notification kinds and needs in every process.
        import commons.needs  # noqa: F401
        import commons.personal_data  # noqa: F401
        import commons.services  # noqa: F401
