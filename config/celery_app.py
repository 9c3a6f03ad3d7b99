"""The Celery application: CELERY_* settings, JSON only, tasks autodiscovered."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("beian")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
