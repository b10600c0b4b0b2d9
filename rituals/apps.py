from django.apps import AppConfig


class RitualsConfig(AppConfig):
    name = "rituals"

    def ready(self):
        # Registers the timer handlers, so every process (web, worker, beat) knows them,
        # and declares this app's audit verbs, notification kinds and needs.
        import rituals.commons_deadlines  # noqa: F401
        import rituals.digests  # noqa: F401
        import rituals.needs  # noqa: F401
        import rituals.personal_data  # noqa: F401
        import rituals.services.conflicts  # noqa: F401
        import rituals.services.convergence  # noqa: F401
        import rituals.services.facilitation  # noqa: F401
        import rituals.services.sovereignty  # noqa: F401
        import rituals.services.sprints  # noqa: F401
        from rituals import reminders  # noqa: F401
