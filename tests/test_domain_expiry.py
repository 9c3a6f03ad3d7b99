"""Domain expiry of published websites (issue #25): dates entered or imported from CSV, alerts 30 and
7 days before the earliest expiry, an expired domain flagged, a renewal closing the deadline."""

from datetime import date, datetime, time, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from filings.jobs import domain_expiry, registrars
from filings.models import Alert, Deadline, Domain, Notification
from filings.reads import compliance
from filings.rules import workdays
from tests import factories

pytestmark = pytest.mark.django_db

Kind = Deadline.Kind


@pytest.fixture
def published(principal, reviewer):
    return factories.publish(factories.ready_filing(assignee=principal), reviewer=reviewer)


def _at(day, hour=10):
    return datetime.combine(day, time(hour), tzinfo=workdays.SHANGHAI)


def _alerts(filing):
    return set(
        Alert.objects.filter(filing=filing, kind=Kind.DOMAIN_EXPIRY, withdrawn_at__isnull=True).values_list(
            "threshold__code", flat=True
        )
    )


def test_alerts_30_and_7_days_before_and_expired_is_a_breach(published, manager):
    domain = Domain.objects.get(website__filing=published)
    expires = domain_expiry.expiry_moment(published.stage_entered_at.date() + timedelta(days=100)).date()
    domain.expires_on = expires - timedelta(days=1)
    domain.save(update_fields=["expires_on"])
    lapse = domain_expiry.expiry_moment(domain.expires_on)

    assert domain_expiry.sync_domain_deadlines(now=lapse - timedelta(days=40)) == (0, 0)  # far off
    assert domain_expiry.sync_domain_deadlines(now=lapse - timedelta(days=31)) == (1, 0)
    deadline = Deadline.objects.get(filing=published, kind=Kind.DOMAIN_EXPIRY, closed_at__isnull=True)
    assert deadline.due_at == lapse and _alerts(published) == set()

    alert_raising_now = lapse - timedelta(days=30)
    from filings.jobs import alert_scan

    alert_scan.scan_deadlines(now=alert_raising_now)
    assert _alerts(published) == {"before_30d"}
    alert_scan.scan_deadlines(now=lapse - timedelta(days=7))
    assert _alerts(published) == {"before_30d", "before_7d"}
    recipients = set(
        Notification.objects.filter(alert__filing=published, alert__kind=Kind.DOMAIN_EXPIRY).values_list(
            "user_id", flat=True
        )
    )
    assert {published.assignee_id, published.reviewer_id} <= recipients and manager.pk not in recipients

    alert_scan.scan_deadlines(now=lapse + timedelta(seconds=1))
    expired = Alert.objects.get(filing=published, kind=Kind.DOMAIN_EXPIRY, threshold__code="expired")
    assert expired.escalated and Notification.objects.filter(alert=expired, user=manager).exists()
    assert "已到期" in expired.action
    today = domain.expires_on + timedelta(days=1)
    assert compliance.expired_domains(published, today=today) == [domain]


def test_renewal_by_csv_import_closes_the_deadline(published):
    domain = Domain.objects.get(website__filing=published)
    soon = published.stage_entered_at.date() + timedelta(days=10)
    domain.expires_on = soon
    domain.save(update_fields=["expires_on"])
    now = _at(soon) - timedelta(days=9)
    domain_expiry.sync_domain_deadlines(now=now)
    domain_expiry.sync_domain_deadlines(now=now)  # idempotent
    assert (
        Deadline.objects.filter(filing=published, kind=Kind.DOMAIN_EXPIRY, closed_at__isnull=True).count()
        == 1
    )
    assert _alerts(published) == {"before_30d"}

    renewed = soon.replace(year=soon.year + 1)
    result = domain_expiry.import_expiry_csv(
        f"domain,expires_on\n{domain.name.upper()}.,{renewed.isoformat()}\nnot-ours.cn,2030-01-01\n"
    )
    assert result.updated == 1 and result.unknown == ["not-ours.cn"] and not result.errors
    domain.refresh_from_db()
    assert domain.expires_on == renewed
    assert domain_expiry.sync_domain_deadlines(now=now) == (0, 1)
    assert not Deadline.objects.filter(
        filing=published, kind=Kind.DOMAIN_EXPIRY, closed_at__isnull=True
    ).exists()
    assert _alerts(published) == set()


def test_a_bad_csv_row_saves_nothing(published, tmp_path):
    domain = Domain.objects.get(website__filing=published)
    before = domain.expires_on
    result = domain_expiry.import_expiry_csv(f"{domain.name},2031-01-01\nother.cn,31/12/2031\n")
    assert result.errors and "第 2 行" in result.errors[0]
    domain.refresh_from_db()
    assert domain.expires_on == before
    path = tmp_path / "expiry.csv"
    path.write_text("only-one-column\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_domain_expiry", str(path))


def test_import_matches_punycode_to_the_unicode_name(published):
    domain = Domain.objects.get(website__filing=published)
    domain.name = "星河.cn"
    domain.save(update_fields=["name"])
    result = domain_expiry.import_expiry_csv("xn--kiv79l.cn,2031-05-01\n")
    assert result.updated == 1, result


# Registrar adapters: a registrar's API is an adapter the settings name; a CSV file is another.


class FakeRegistrarApi(registrars.RegistrarAdapter):
    """Stands in for a registrar's API (the true external edge): answers what the test set."""

    answer = registrars.ExpiryReading()

    def read(self):
        return FakeRegistrarApi.answer


def test_the_daily_import_reads_the_configured_registrar_and_opens_the_deadline(published, settings):
    from filings import tasks

    settings.BEIAN_REGISTRAR_ADAPTER = ""
    assert tasks.import_registrar_expiry_task() == {"configured": False}

    domain = Domain.objects.get(website__filing=published)
    soon = timezone.localdate() + timedelta(days=20)
    FakeRegistrarApi.answer = registrars.ExpiryReading(dates={domain.name: soon, "not-filed.cn": soon})
    settings.BEIAN_REGISTRAR_ADAPTER = "tests.test_domain_expiry.FakeRegistrarApi"
    assert tasks.import_registrar_expiry_task() == {"updated": 1, "unknown": 1, "errors": 0}
    domain.refresh_from_db()
    assert domain.expires_on == soon
    deadline = Deadline.objects.get(filing=published, kind=Kind.DOMAIN_EXPIRY, closed_at__isnull=True)
    assert deadline.due_at == domain_expiry.expiry_moment(soon)


def test_a_registrar_that_reports_errors_changes_nothing(published, settings):
    from filings import tasks

    domain = Domain.objects.get(website__filing=published)
    before = domain.expires_on
    FakeRegistrarApi.answer = registrars.ExpiryReading(
        dates={domain.name: timezone.localdate()}, errors=["接口超时"]
    )
    settings.BEIAN_REGISTRAR_ADAPTER = "tests.test_domain_expiry.FakeRegistrarApi"
    assert tasks.import_registrar_expiry_task()["errors"] == 1
    domain.refresh_from_db()
    assert domain.expires_on == before
    assert not Deadline.objects.filter(filing=published, kind=Kind.DOMAIN_EXPIRY).exists()


def test_the_csv_file_is_one_registrar_adapter(published, tmp_path):
    domain = Domain.objects.get(website__filing=published)
    path = tmp_path / "expiry.csv"
    path.write_text(f"domain,expires_on\n{domain.name.upper()}.,2031-02-03\n", encoding="utf-8-sig")
    adapter = registrars.CsvFileRegistrar.from_path(str(path))
    assert isinstance(adapter, registrars.RegistrarAdapter)
    reading = adapter.read()
    assert reading.dates == {domain.name: date(2031, 2, 3)} and reading.errors == []
    call_command("import_domain_expiry", str(path))
    domain.refresh_from_db()
    assert domain.expires_on == date(2031, 2, 3)


def test_an_unreadable_file_is_a_command_error(tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes("域名,到期日\n例子.cn,2031-01-01\n".encode("gbk"))
    with pytest.raises(CommandError):
        call_command("import_domain_expiry", str(path))
    with pytest.raises(CommandError):
        call_command("import_domain_expiry", str(tmp_path / "missing.csv"))
