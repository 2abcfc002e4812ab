import datetime

from django.utils import timezone


def at(days: int, hour: int = 8) -> datetime.datetime:
    """A local time `days` from today at `hour` o'clock."""
    today = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(today, datetime.time(hour)))
