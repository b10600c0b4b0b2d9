from celery import shared_task

from rituals import services


@shared_task(name="rituals.tasks.sweep_timers")
def sweep_timers():
    return services.sweep()
