from django.conf import settings

from egovexperts.celery_app import app


def test_every_periodic_job_names_a_registered_task():
    app.loader.import_default_modules()
    assert {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()} <= set(app.tasks)
