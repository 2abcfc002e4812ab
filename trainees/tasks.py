from celery import shared_task

from .models import Trainee


@shared_task
def index_posts() -> int:
    """Posts begin and end with the calendar: each day, the search follows the post held today."""
    return Trainee.objects.index_posts()
