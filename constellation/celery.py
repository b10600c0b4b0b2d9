import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "constellation.settings")

app = Celery("constellation")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
