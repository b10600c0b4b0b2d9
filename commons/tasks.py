from celery import shared_task

from commons import services


@shared_task(name="commons.tasks.tell_deciders")
def tell_deciders(draw_id):
    return services.tell_deciders(draw_id)


@shared_task(name="commons.tasks.tell_waiting_deciders")
def tell_waiting_deciders():
    return services.tell_waiting_deciders()
