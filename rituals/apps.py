from django.apps import AppConfig


class RitualsConfig(AppConfig):
    name = "rituals"

    def ready(self):
        # Registers the timer handlers, so every process (web, worker, beat) knows them.
        from rituals import reminders  # noqa: F401
