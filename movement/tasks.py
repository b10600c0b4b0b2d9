from celery import shared_task

from movement import services


@shared_task(name="movement.tasks.deliver_notification")
def deliver_notification(notification_id):
    return services.deliver_notification(notification_id)


@shared_task(name="movement.tasks.drain_outbox")
def drain_outbox():
    return services.drain_outbox()
