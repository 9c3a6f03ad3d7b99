"""The filing page and the pre-review page read a filing in a fixed number of statements, however
long its history: apps only for a type whose declaration says it can hold them, the reader's
decisions from the events the page reads anyway, its alerts only when it has a current one, the
checks' phone holders in one statement, and the pre-review page's bureau packages only when there is one."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from filings.kinds import kind_of
from filings.models import Alert, AlertThreshold, Notification
from filings.services import changes, packages, transitions
from tests import factories

pytestmark = pytest.mark.django_db
REASONS = [{"field": "website.description", "reason": "内容描述过于简单", "suggested_fix": "写明主要内容"}]
# The page's own statements: the session, user, permissions, second factor and the navigation's
# unread count come on top of these.
FILING_PAGE = 7
# The pre-review page: 15 since whether the filing has a bureau package rides on its own statement.
PRE_REVIEW_PAGE = 15


def _statements(client, url: str) -> list[str]:
    assert client.get(url).status_code == 200  # warm the per-process caches (calendar, permissions)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def _filing_statements(statements: list[str]) -> list[str]:
    """Return the statements about filings (leaving out the session, user and navigation)."""
    navigation = 'SELECT COUNT(*) FROM (SELECT "filings_notification"'
    return [sql for sql in statements if '"filings_' in sql and not sql.startswith(navigation)]


def _returned_and_resubmitted(principal, reviewer, rounds: int):
    filing = factories.ready_filing(assignee=principal)
    for _ in range(rounds):
        filing = transitions.submit_filing(filing, by=principal)
        filing = transitions.return_filing(filing, by=reviewer, reasons=REASONS)
        factories.add_required_materials(filing)  # a new version of every material
    return filing


def test_the_filing_page_reads_a_fixed_number_of_statements(client, principal, reviewer):
    filing = _returned_and_resubmitted(principal, reviewer, 1)
    client.force_login(principal)
    url = reverse("filings:detail", args=[filing.pk])
    one = _filing_statements(_statements(client, url))

    filing = _returned_and_resubmitted(principal, reviewer, 4)
    url = reverse("filings:detail", args=[filing.pk])
    four = _filing_statements(_statements(client, url))

    assert len(one) == len(four) == FILING_PAGE, "\n".join(sql[:80] for sql in four)
    # A website filing's type holds no apps: none are read.
    assert not any('FROM "filings_app"' in sql for sql in four)
    # The reader's decisions come with the events.
    assert not any(sql.startswith('SELECT "filings_notification"') for sql in four)


def test_apps_are_read_for_the_types_that_can_hold_them(client, principal, reviewer):
    assert not kind_of("first").may_hold_apps and not kind_of("cancel").may_hold_apps
    assert kind_of("new_app").may_hold_apps and kind_of("change").may_hold_apps
    published = factories.published_filing(assignee=principal, reviewer=reviewer)
    app_filing = factories.ready_app_filing(published)
    client.force_login(principal)

    statements = _statements(client, reverse("filings:detail", args=[app_filing.pk]))
    page = client.get(reverse("filings:detail", args=[app_filing.pk])).content.decode()

    assert any('FROM "filings_app"' in sql for sql in statements)
    assert app_filing.apps.get().name in page


def test_the_filing_page_shows_the_readers_latest_decisions_newest_first(client, principal, reviewer):
    filing = _returned_and_resubmitted(principal, reviewer, 2)
    sent = list(
        Notification.objects.filter(user=principal, event__filing=filing).order_by("created_at", "id")
    )
    assert len(sent) == 2
    # The newer one is read; the older one is not.
    Notification.objects.filter(pk=sent[1].pk).update(read_at=timezone.now())
    client.force_login(principal)

    page = client.get(reverse("filings:detail", args=[filing.pk])).content.decode()
    card = page.split('id="alerts-h"', 1)[1].split("</section>", 1)[0]

    rows = card.split('<li class="alert-row')[1:]
    assert len(rows) == 2 and all("服务商初审退回" in row for row in rows)
    assert "1 条未读" in card
    # Newest sent first: the read one, then the unread one.
    assert "未读" not in rows[0] and "未读" in rows[1]
    # The reviewer got no decision on it: their page's card shows none.
    client.force_login(reviewer)
    staff_page = client.get(reverse("filings:detail", args=[filing.pk])).content.decode()
    assert "服务商初审退回" not in staff_page.split('id="alerts-h"', 1)[1].split("</section>", 1)[0]


def test_the_pre_review_page_reads_a_fixed_number_of_statements(client, principal, reviewer):
    filing = transitions.submit_filing(_returned_and_resubmitted(principal, reviewer, 1), by=principal)
    client.force_login(reviewer)
    one = _filing_statements(_statements(client, reverse("filings:review-filing", args=[filing.pk])))

    filing = transitions.submit_filing(_returned_and_resubmitted(principal, reviewer, 4), by=principal)
    four = _filing_statements(_statements(client, reverse("filings:review-filing", args=[filing.pk])))

    # SQLite (make run) reads the phones' holders in two statements: it allows no LIMIT in a UNION.
    expected = PRE_REVIEW_PAGE + (0 if connection.features.supports_slicing_ordering_in_compound else 1)
    assert len(one) == len(four) == expected, "\n".join(sql[:80] for sql in four)
    assert not any('FROM "filings_app"' in sql for sql in four)


def test_the_pre_review_page_reads_the_bureau_packages_only_when_the_filing_has_one(
    client, principal, reviewer
):
    filing = transitions.submit_filing(_returned_and_resubmitted(principal, reviewer, 1), by=principal)
    client.force_login(reviewer)
    url = reverse("filings:review-filing", args=[filing.pk])
    reads_packages = 'SELECT "filings_bureaupackage"."id"'

    assert not any(sql.startswith(reads_packages) for sql in _statements(client, url))
    package = packages.request_package(filing, by=reviewer)

    assert any(sql.startswith(reads_packages) for sql in _statements(client, url))
    assert f'data-package="{package.pk}"' in client.get(url).content.decode()


def test_a_change_of_a_published_filing_still_reads_its_apps(client, principal, reviewer):
    published = factories.published_filing(assignee=principal, reviewer=reviewer)
    change = changes.open_change(published, by=principal)
    client.force_login(principal)

    statements = _statements(client, reverse("filings:detail", args=[change.pk]))

    assert any('FROM "filings_app"' in sql for sql in statements)


def _alert(filing, *, withdrawn: bool = False) -> Alert:
    deadline = filing.deadlines.filter(closed_at__isnull=True).first()
    threshold = AlertThreshold.objects.filter(deadline_kind=deadline.kind).first()
    return Alert.objects.create(
        filing=filing,
        deadline=deadline,
        threshold=threshold,
        stage=deadline.stage,
        stage_visit=deadline.stage_visit,
        kind=deadline.kind,
        severity=threshold.severity,
        due_at=deadline.due_at,
        deadline_at=deadline.due_at,
        withdrawn_at=timezone.now() if withdrawn else None,
    )


def test_current_alerts_are_read_only_when_there(client, principal):
    filing = factories.ready_filing(assignee=principal)
    _alert(filing, withdrawn=True)
    client.force_login(principal)
    url = reverse("filings:detail", args=[filing.pk])
    without = _filing_statements(_statements(client, url))
    card = client.get(url).content.decode().split('id="alerts-h"', 1)[1].split("</section>", 1)[0]
    assert "alert-row" not in card

    filing.websites.get().prior_approvals.create(category="news", licence_number="京新闻-001")
    shown = _alert(filing)
    with_both = _filing_statements(_statements(client, url))
    page = client.get(url).content.decode()

    assert len(without) == FILING_PAGE and len(with_both) == FILING_PAGE + 1
    assert "京新闻-001" in page
    card = page.split('id="alerts-h"', 1)[1].split("</section>", 1)[0]
    assert card.count("alert-row") == 1 and shown.title in card


def test_an_app_cannot_be_attached_to_a_filing_whose_type_holds_none(principal, reviewer):
    """The pages read no apps for such a type, so the admin refuses the app instead of keeping it
    where nobody would see it."""
    from django.core.exceptions import ValidationError

    published = factories.published_filing(assignee=principal, reviewer=reviewer)
    app = factories.ready_app_filing(published).apps.get()
    app.full_clean()  # on its APP filing: valid

    website_filing = factories.ready_filing(assignee=principal, province_code="11")
    app.filing, app.position = website_filing, 99
    with pytest.raises(ValidationError) as refused:
        app.full_clean()
    assert "不含 APP" in str(refused.value.message_dict["filing"])
