from celery import shared_task

from rituals import timers
from rituals.services import convergence


@shared_task(name="rituals.tasks.schedule_gatherings")
def schedule_gatherings():
    return convergence.schedule_all_movements()


@shared_task(name="rituals.tasks.sweep_timers")
def sweep_timers():
    return timers.sweep()
