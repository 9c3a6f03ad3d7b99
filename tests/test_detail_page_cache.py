"""The cached filing detail page: served again without rebuilding, yet new after every kind of change,
and never one viewer's rendering (masking, actions, CSRF token) for another."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from filings import deadlines, services
from filings.models import Deadline, Filing, Material, Notification
from filings.states import State
from tests import factories
from tests.caching import clear_test_cache, early_in_a_minute
from tests.scan_samples import licence_scan


@pytest.fixture(autouse=True, params=["cache tokens", "database stamps"])
def _empty_cache(request, settings):
    # Every test runs with the keys built from change tokens in the cache (local memory is shared
    # within this one process) and from the database's change stamps.
    settings.BEIAN_SHARED_CACHE = request.param == "cache tokens"
    clear_test_cache()
    yield
    clear_test_cache()


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _page(client: Client, filing: Filing) -> str:
    response = client.get(filing.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def _csrf_inputs(page: str) -> set[str]:
    return set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page))


def test_a_repeated_view_is_served_from_the_cache(filing):
    early_in_a_minute()
    client = _client(filing.assignee)
    first = _page(client, filing)
    with CaptureQueriesContext(connection) as captured:
        second = _page(client, filing)
    # Only the change stamps are read again: no websites, materials or history rows.
    selects = [q["sql"][:40] for q in captured.captured_queries]
    assert not [s for s in selects if s.startswith(('SELECT "filings_website"', 'SELECT "filings_material"'))]
    # Cache tokens: the user (+ the session without Redis); database stamps: also its permissions
    # (2, not cached without a shared cache) and the change stamps.
    assert len(captured) <= 5
    # The same page apart from the CSRF tokens, which are masked afresh for each response.
    assert _csrf_inputs(first) and _csrf_inputs(second)
    assert re.sub(r'value="[^"]+"', "", first) == re.sub(r'value="[^"]+"', "", second)


def test_draft_edit_shows_at_once(filing):
    client = _client(filing.assignee)
    assert "广东省深圳市南山区新的通信地址1号" not in _page(client, filing)
    services.update_filing(
        filing,
        by=filing.assignee,
        expected_version=filing.version,
        subject={"postal_address": "广东省深圳市南山区新的通信地址1号"},
    )
    assert "广东省深圳市南山区新的通信地址1号" in _page(client, filing)


def test_transition_and_its_history_show_at_once(filing, reviewer):
    client = _client(filing.assignee)
    before = _page(client, filing)
    filing = services.submit_filing(filing, by=filing.assignee)
    after = _page(client, filing)
    assert after != before
    assert filing.get_state_display() in after
    filing = services.return_filing(
        filing, by=reviewer, comment="请补充说明", reasons=[{"field": "", "reason": "独一无二的退回原因"}]
    )
    assert "独一无二的退回原因" in _page(client, filing)


def test_new_material_version_shows_at_once(filing):
    client = _client(filing.assignee)
    _page(client, filing)
    material = services.upload_material(
        filing,
        by=filing.assignee,
        kind=Material.Kind.BUSINESS_LICENCE,
        upload=SimpleUploadedFile("licence.jpg", licence_scan(), content_type="image/jpeg"),
    )
    assert reverse("filings:material-download", args=[filing.pk, material.pk]) in _page(client, filing)


def test_deadline_moved_without_history_shows_at_once(filing):
    client = _client(filing.assignee)
    filing = services.submit_filing(filing, by=filing.assignee)
    counted = Deadline.objects.filter(filing=filing, closed_at__isnull=True, workdays__isnull=False).first()
    computed = timezone.localtime(counted.due_at).strftime("%Y-%m-%d %H:%M")
    # A provisional due time (the year's official calendar not yet entered), seen and cached.
    guessed = timezone.localtime(timezone.now() + timedelta(days=40)).replace(second=0, microsecond=0)
    Deadline.objects.filter(pk=counted.pk).update(due_at=guessed, provisional=True)
    assert guessed.strftime("%Y-%m-%d %H:%M") in _page(client, filing)
    # Entering the calendar recomputes deadlines in bulk, with no history row.
    assert deadlines.recompute_provisional_deadlines() >= 1
    page = _page(client, filing)
    assert computed in page and guessed.strftime("%Y-%m-%d %H:%M") not in page


def test_sms_verification_shows_at_once(filing, reviewer):
    filing = services.pass_review(services.submit_filing(filing, by=filing.assignee), by=reviewer)
    assert filing.state == State.SMS_VERIFICATION
    client = _client(filing.assignee)
    verifiers = list(filing.sms_verifiers.filter(stage_visit=filing.stage_visit))
    assert _page(client, filing).count("待核验") >= len(verifiers)
    services.record_sms_verification(filing, verifier_id=verifiers[0].pk, by=reviewer)
    assert "已完成" in _page(client, filing)


def test_alerts_and_reading_them_show_at_once(principal):
    filing = factories.ready_filing(assignee=principal)
    long_ago = timezone.now() - timedelta(days=60)
    Filing.objects.filter(pk=filing.pk).update(
        state=State.BUREAU_REVIEW, stage_visit=2, stage_entered_at=long_ago
    )
    filing = Filing.objects.select_related("province").get(pk=filing.pk)
    deadlines.open_stage_deadlines(filing, now=long_ago)
    client = _client(principal)
    assert "alert-row" not in _page(client, filing)
    deadlines.scan_deadlines(now=timezone.now())
    raised = _page(client, filing)
    assert "alert-row" in raised and "未读" in raised
    services.mark_alerts_read(by=principal)
    assert Notification.objects.filter(user=principal, read_at__isnull=True).count() == 0
    assert "未读" not in _page(client, filing)


def test_viewers_never_get_each_others_rendering(filing, manager, other_principal):
    person = filing.subject_principal
    owner, as_manager = _client(filing.assignee), _client(manager)
    own = _page(owner, filing)
    masked = _page(as_manager, filing)
    assert person.id_number in own and person.mobile in own
    assert person.id_number not in masked and person.mobile not in masked
    # The owner's rendering is cached now, and the manager's too: each still gets their own.
    assert person.id_number in _page(owner, filing)
    assert person.id_number not in _page(as_manager, filing)
    assert reverse("filings:edit", args=[filing.pk]) in own
    assert reverse("filings:edit", args=[filing.pk]) not in masked
    # Each response carries its requester's CSRF token, never the one of whoever filled the cache.
    secrets = set()
    for client in (owner, as_manager):
        response = client.get(filing.get_absolute_url())
        secret = response.wsgi_request.META["CSRF_COOKIE"]
        tokens = _csrf_inputs(response.content.decode())
        assert tokens and all(_unmask_cipher_token(token) == secret for token in tokens)
        secrets.add(secret)
    assert len(secrets) == 2
    assert _client(other_principal).get(filing.get_absolute_url()).status_code == 404


def test_language_is_part_of_the_key(filing):
    client = _client(filing.assignee)
    chinese = _page(client, filing)
    client.cookies["django_language"] = "en"
    english = _page(client, filing)
    assert "备案主体" in chinese and "备案主体" not in english
