"""Keep caches in step with the data: process-level calendar overrides, and the change tokens of the
cached filing pages (filings/page_cache.py) for every row saved or deleted one by one (services,
admin). Queryset updates and bulk inserts send no signals: their callers report them."""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from filings import page_cache, workdays
from filings.models import (
    Alert,
    AlertThreshold,
    CalendarDay,
    CalendarYear,
    Deadline,
    Domain,
    Filing,
    FilingEvent,
    FooterCheck,
    Material,
    Notification,
    Person,
    PriorApproval,
    Province,
    RejectionReason,
    RuleTerm,
    SmsVerifier,
    Subject,
    Website,
)

SAVED_OR_DELETED = [post_save, post_delete]
# A shared subject or person on more filings than this drops every cached page instead.
MANY_FILINGS = 500


@receiver(SAVED_OR_DELETED, sender=CalendarDay)
@receiver(SAVED_OR_DELETED, sender=CalendarYear)
def forget_calendar_overrides(**kwargs) -> None:
    workdays.forget_overrides()


@receiver(SAVED_OR_DELETED, sender=Filing)
def filing_changed(instance, **kwargs) -> None:
    page_cache.filings_changed([instance.pk])


@receiver(SAVED_OR_DELETED, sender=FilingEvent)
@receiver(SAVED_OR_DELETED, sender=Deadline)
@receiver(SAVED_OR_DELETED, sender=Material)
@receiver(SAVED_OR_DELETED, sender=SmsVerifier)
@receiver(SAVED_OR_DELETED, sender=Website)
@receiver(SAVED_OR_DELETED, sender=Alert)
@receiver(SAVED_OR_DELETED, sender=FooterCheck)
def filing_row_changed(instance, **kwargs) -> None:
    page_cache.filings_changed([instance.filing_id])


@receiver(SAVED_OR_DELETED, sender=Domain)
@receiver(SAVED_OR_DELETED, sender=PriorApproval)
def website_row_changed(instance, **kwargs) -> None:
    website = instance._meta.get_field("website").get_cached_value(instance, None)  # set by the services
    if website is not None:
        page_cache.filings_changed([website.filing_id])
    else:
        filing = Website.objects.filter(pk=instance.website_id).values_list("filing_id", flat=True)
        page_cache.filings_changed(list(filing))


@receiver(SAVED_OR_DELETED, sender=Notification)
def notification_changed(instance, **kwargs) -> None:
    page_cache.users_changed([instance.user_id])


def _filings_of(condition: Q) -> None:
    ids = list(Filing.objects.filter(condition).values_list("pk", flat=True)[: MANY_FILINGS + 1])
    if len(ids) > MANY_FILINGS:
        page_cache.everything_changed()
    else:
        page_cache.filings_changed(ids)


@receiver(SAVED_OR_DELETED, sender=Subject)
def subject_changed(instance, **kwargs) -> None:
    _filings_of(Q(subject_id=instance.pk))


@receiver(SAVED_OR_DELETED, sender=Person)
def person_changed(instance, **kwargs) -> None:
    _filings_of(
        Q(subject_principal_id=instance.pk)
        | Q(pk__in=Website.objects.filter(principal_id=instance.pk).values("filing_id"))
        | Q(pk__in=Material.objects.filter(person_id=instance.pk).values("filing_id"))
        | Q(pk__in=SmsVerifier.objects.filter(person_id=instance.pk).values("filing_id"))
    )


@receiver(SAVED_OR_DELETED, sender=Province)
@receiver(SAVED_OR_DELETED, sender=RuleTerm)
@receiver(SAVED_OR_DELETED, sender=RejectionReason)
@receiver(SAVED_OR_DELETED, sender=CalendarDay)
@receiver(SAVED_OR_DELETED, sender=CalendarYear)
@receiver(SAVED_OR_DELETED, sender=AlertThreshold)
def reference_data_changed(**kwargs) -> None:
    page_cache.everything_changed()


@receiver(SAVED_OR_DELETED, sender=get_user_model())
def user_changed(instance, update_fields=None, **kwargs) -> None:
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # a login shows on no page
    # The user's own nav, and their name on the filings they work on or reviewed.
    page_cache.users_changed([instance.pk])
    page_cache.everything_changed()
