from celery import shared_task

from rituals import services


@shared_task(name="rituals.tasks.schedule_gatherings")
def schedule_gatherings():
    return services.schedule_all_movements()


@shared_task(name="rituals.tasks.sweep_timers")
def sweep_timers():
    return services.sweep()
