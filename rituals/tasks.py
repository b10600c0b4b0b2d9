from celery import shared_task

from rituals import timers
from rituals.services import conflicts, convergence


@shared_task(name="rituals.tasks.schedule_gatherings")
def schedule_gatherings():
    return convergence.schedule_all_movements()


@shared_task(name="rituals.tasks.sweep_timers")
def sweep_timers():
    return timers.sweep()


@shared_task(name="rituals.tasks.purge_closed_cases")
def purge_closed_cases():
    """What closed conflict cases said, deleted once their ritual's retention has passed."""
    return conflicts.purge_closed_cases()
