from celery import shared_task

from movement import personal_data, services, submissions
from movement.sessions import SessionStore


@shared_task(name="movement.tasks.deliver_notification")
def deliver_notification(notification_id):
    return services.deliver_notification(notification_id)


@shared_task(name="movement.tasks.drain_outbox")
def drain_outbox():
    return services.drain_outbox()


@shared_task(name="movement.tasks.forget_old_submissions")
def forget_old_submissions():
    return submissions.forget_old_submissions()


@shared_task(name="movement.tasks.forget_expired_sessions")
def forget_expired_sessions():
    SessionStore.clear_expired()


@shared_task(name="movement.tasks.build_data_export")
def build_data_export(export_id):
    return personal_data.build_export(export_id)


@shared_task(name="movement.tasks.build_waiting_exports")
def build_waiting_exports():
    return personal_data.build_waiting_exports()


@shared_task(name="movement.tasks.purge_expired_exports")
def purge_expired_exports():
    return personal_data.purge_expired_exports()
