"""Keep each process' copy of the admin's calendar in step with the calendar rows saved or deleted
one by one (admin, services); a bulk change calls workdays.forget_overrides() itself."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from filings.models import CalendarDay, CalendarYear
from filings.rules import workdays


@receiver([post_save, post_delete], sender=CalendarDay)
@receiver([post_save, post_delete], sender=CalendarYear)
def forget_calendar_overrides(**kwargs) -> None:
    workdays.forget_overrides()
