"""The manager dashboard page: summary sections rendered once per statistics refresh, live lists, and
the long lists' totals kept by the minute's alert scan."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from filings.jobs import alert_scan, summaries
from filings.models import AlertScan, Deadline, Filing, Province
from filings.reads import dashboard as dashboard_stats
from filings.services import transitions
from tests import factories

pytestmark = pytest.mark.django_db


def _submit(username, province_code="44"):
    owner = factories.principal_user(username=username)
    return transitions.submit_filing(
        factories.ready_filing(assignee=owner, province_code=province_code), by=owner
    )


SHOWN = [("省份", "广东"), ("省份", "北京"), ("阶段", "服务商初审")]


def _total_in_review(body: str) -> int:
    # The first row of the counts table is the national total, one cell per state in State order.
    totals = re.search(r'<tr class="total"><th scope="row">合计</th>(.*?)</tr>', body, re.S).group(1)
    cells = re.findall(r'<td class="num">(\d+)</td>', totals)
    return int(cells[1])  # entry, provider_review, …


def test_summary_sections_follow_each_refresh_and_lists_stay_live(client, manager):
    client.force_login(manager)
    url = reverse("filings:dashboard")
    first = _submit("dash-owner-0")
    summaries.refresh_summaries(full=True)
    body = client.get(url).content.decode()
    assert _total_in_review(body) == 1
    assert "数量与用时统计更新于" in body

    second = _submit("dash-owner-1")
    # Counts wait for the next refresh …
    assert _total_in_review(client.get(url).content.decode()) == 1
    # … while the deadline lists are read on every request.
    Deadline.objects.filter(filing=second, closed_at__isnull=True).update(
        due_at=timezone.now() - timedelta(hours=1)
    )
    body = client.get(url).content.decode()
    assert second.subject.name in body and first.subject.name not in body

    summaries.refresh_summaries()
    assert _total_in_review(client.get(url).content.decode()) == 2


def test_summary_sections_follow_the_language(client, manager):
    client.force_login(manager)
    _submit("dash-owner-lang")
    summaries.refresh_summaries(full=True)
    url = reverse("filings:dashboard")
    assert "各阶段数量" in client.get(url).content.decode()
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "各阶段数量" not in english and "Filings by stage" in english
    assert "各阶段数量" in client.get(url).content.decode()


def test_a_renamed_province_shows_at_once(client, manager):
    client.force_login(manager)
    _submit("dash-owner-rename", province_code="11")
    summaries.refresh_summaries(full=True)
    url = reverse("filings:dashboard")
    assert "北京市" in client.get(url).content.decode()
    province = Province.objects.get(code="11")
    province.name = "北京(改名测试)"
    province.save()
    assert "北京(改名测试)" in client.get(url).content.decode()


def test_deadline_lists_show_each_rows_subject_province_stage_and_due_time(client, manager):
    client.force_login(manager)
    filings = [_submit(f"list-owner-{n}", province_code=code) for n, code in enumerate(["44", "11", "44"])]
    due = [timezone.now() - timedelta(hours=h) for h in (5, 3, 1)]
    for filing, due_at in zip(filings, due, strict=True):
        Deadline.objects.filter(filing=filing, closed_at__isnull=True).update(due_at=due_at)
    Deadline.objects.filter(filing=filings[1]).update(provisional=True)
    for url in (
        reverse("filings:dashboard"),
        reverse("filings:dashboard-deadlines", kwargs={"kind": "overdue"}),
    ):
        body = client.get(url).content.decode()
        overdue = body.split("<h2>超期", 1)[-1]  # the dashboard's overdue list, or the list page
        names = [f.subject.name for f in filings]
        positions = [overdue.find(f'href="/filings/{f.pk}/"') for f in filings]
        assert all(p >= 0 for p in positions) and positions == sorted(positions), url  # most overdue first
        assert all(name in body for name in names)
        assert all(f'data-label="{column}">{text}</td>' in overdue for column, text in SHOWN)
        local = timezone.localtime(due[0]).strftime("%Y-%m-%d %H:%M")
        assert local in body
    provisional = client.get(reverse("filings:dashboard-deadlines", kwargs={"kind": "provisional"}))
    body = provisional.content.decode()
    assert f'href="/filings/{filings[1].pk}/"' in body and f'href="/filings/{filings[0].pk}/"' not in body


def test_deadline_and_open_lists_translate_their_repeated_words_once_per_page(client, manager, monkeypatch):
    from django.conf import settings
    from django.utils import translation

    filings = [_submit(f"words-owner-{n}") for n in range(6)]
    Deadline.objects.filter(filing__in=filings, closed_at__isnull=True).update(
        due_at=timezone.now() - timedelta(hours=2)
    )
    calls = []
    real = translation._trans.gettext
    monkeypatch.setattr(translation._trans, "gettext", lambda message: calls.append(message) or real(message))
    client.force_login(manager)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for url in (
        reverse("filings:dashboard-deadlines", kwargs={"kind": "overdue"}),
        reverse("filings:dashboard-open") + "?state=provider_review",
    ):
        client.get(url)  # compiles the templates
        calls.clear()
        body = client.get(url).content.decode()
        assert body.count("Guangdong") >= len(filings) and "广东" not in body, url
        assert all(f'href="/filings/{f.pk}/"' in body for f in filings), url
        # Six rows of one province and stage: their words are translated once (the province once for
        # the rows and once in the estimate's basis), not six times.
        assert calls.count("广东") <= 2 and calls.count("省份") <= 2, (url, calls)
        assert calls.count("服务商初审") <= 2, (url, calls)


def test_awaiting_public_security_is_counted_per_province_and_adds_up(client, manager):
    from filings.models import Province, StageCount

    guangdong, zhejiang = Province.objects.get(code="44"), Province.objects.get(code="33")
    StageCount.objects.create(province=guangdong, state="published", filings=5, awaiting_psb=2)
    StageCount.objects.create(province=zhejiang, state="published", filings=3, awaiting_psb=1)
    counts = dashboard_stats.stage_counts()
    assert counts.awaiting_psb == 3
    assert counts.awaiting_by_province[guangdong.pk] == 2 and counts.awaiting_by_province[zhejiang.pk] == 1
    assert sum(counts.awaiting_by_province.values()) == counts.awaiting_psb

    client.force_login(manager)
    body = client.get(reverse("filings:dashboard")).content.decode()
    cells = re.findall(r'<td class="num awaiting-psb">(\d+)</td>', body)
    assert cells[0] == "3" and sum(int(n) for n in cells[1:]) == 3


def test_open_filings_pages_walk_every_stage_in_order_without_repeats():
    from filings.kinds.states import State
    from filings.models import Filing
    from filings.reads import keyset

    made = []
    for state in (State.ENTRY, State.PROVIDER_REVIEW, State.BUREAU_REVIEW):
        for _ in range(4):
            filing = factories.ready_filing()
            Filing.objects.filter(pk=filing.pk).update(state=state)
            made.append(filing.pk)
    # Equal entry times inside a stage: the id breaks the tie.
    Filing.objects.filter(pk__in=made[:2]).update(stage_entered_at=timezone.now() - timedelta(days=2))
    from filings.kinds.states import OPEN_STATES

    # Stage by stage in the order of the stages, each by entry time.
    expected = [
        pk
        for state in OPEN_STATES
        for pk in dashboard_stats.open_filings(state=state).values_list("pk", flat=True)
    ]
    seen, after = [], None
    while True:
        page = dashboard_stats.open_filings_page(after=after, size=3)
        seen += [f.pk for f in page.rows]
        if page.next is None:
            break
        after = keyset.Position.parse(
            page.next.token(), queryset=Filing.objects.all(), order=dashboard_stats.OPEN_FILING_ORDER
        )
    assert seen == expected and set(made) <= set(seen)


def test_the_dashboard_reads_a_fixed_number_of_queries_whatever_its_rows(client, manager):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(manager)
    url = reverse("filings:dashboard")
    _submit("fixed-owner-0")
    summaries.refresh_summaries(full=True)
    with CaptureQueriesContext(connection) as one_row:
        client.get(url)
    for index in range(1, 5):
        _submit(f"fixed-owner-{index}", province_code="11" if index % 2 else "44")
    Deadline.objects.filter(closed_at__isnull=True).update(due_at=timezone.now() - timedelta(hours=1))
    summaries.refresh_summaries(full=True)
    with CaptureQueriesContext(connection) as more_rows:
        client.get(url)
    # With a fresh scan the lists' totals are the scan's: the page reads them instead of counting.
    _scan_with_totals(timezone.now(), **SCAN_TOTALS)
    with CaptureQueriesContext(connection) as scan_totals:
        client.get(url)
    # The session is read from Redis or, when its copy there is missing, from the database.
    page_reads = [
        [q["sql"] for q in captured.captured_queries if 'FROM "django_session"' not in q["sql"]]
        for captured in (one_row, more_rows, scan_totals)
    ]
    assert len(page_reads[0]) == len(page_reads[1]) == len(page_reads[2]), page_reads
    assert any("COUNT(" in sql and "filings_deadline" in sql for sql in page_reads[1])
    assert not any("COUNT(" in sql and "filings_deadline" in sql for sql in page_reads[2])
    # The provinces are read once, for the estimates and the summaries alike.
    province_reads = [q for q in more_rows.captured_queries if '"filings_province"."name"' in q["sql"]]
    assert len(province_reads) == 1


def test_rows_written_in_python_escape_what_users_typed(client, manager):
    """The deadline and open-filing rows and the duration table are written as strings in Python
    (filings/web/views/list_rows.py, dashboard._duration_row): a subject's name and a typed return
    reason are still escaped, and the rows keep their cells."""
    from filings.models import ReasonRollup, Subject

    filing = _submit("escape-owner")
    Subject.objects.filter(pk=filing.subject_id).update(name='星河<b onclick="x">&科技')
    Deadline.objects.filter(filing=filing, closed_at__isnull=True).update(
        due_at=timezone.now() - timedelta(hours=2)
    )
    summaries.refresh_summaries(full=True)
    ReasonRollup.objects.create(
        period_days=dashboard_stats.DEFAULT_PERIOD,
        province=Province.objects.get(code="44"),
        transition="return_to_entry",
        key="typed",
        reason="<i>名称</i>不符",
        count=7,
    )
    client.force_login(manager)
    escaped = "星河&lt;b onclick=&quot;x&quot;&gt;&amp;科技"
    for url in (
        reverse("filings:dashboard"),
        reverse("filings:dashboard-deadlines", kwargs={"kind": "overdue"}),
        reverse("filings:dashboard-open") + "?state=provider_review",
    ):
        body = client.get(url).content.decode()
        assert escaped in body and "<b onclick" not in body, url
        assert f'<a href="/filings/{filing.pk}/">{escaped}</a>' in body, url
    body = client.get(reverse("filings:dashboard")).content.decode()
    assert "&lt;i&gt;名称&lt;/i&gt;不符 (7)" in body and "<i>名称" not in body


def _preview_totals(now):
    previews = dashboard_stats.deadline_previews(now=now, size=2)
    for slug, preview in previews.items():
        rows = list(dashboard_stats.DEADLINE_LISTS[slug](now=now).values_list("id", flat=True))
        # Each total is its list's length, and the preview its first rows in the list's order.
        assert preview.total == len(rows), slug
        assert [row["id"] for row in preview.rows] == rows[:2], slug
    return {slug: preview.total for slug, preview in previews.items()}


def _four_submitted_around(now, owner: str):
    """Four submitted filings whose pre-review deadlines fall 5 and 3 hours before `now`, 2 and 30
    hours after it, the fourth's provisional; returns them and their pre-review deadlines."""
    filings = [_submit(f"{owner}-{n}") for n in range(4)]
    late = Deadline.objects.filter(filing__in=filings, kind=Deadline.Kind.PREREVIEW_OVERDUE)
    for filing, hours in zip(filings, (-5, -3, 2, 30), strict=True):
        late.filter(filing=filing).update(due_at=now + timedelta(hours=hours))
    Deadline.objects.filter(filing=filings[3]).update(provisional=True)
    return filings, late


def test_deadline_previews_count_each_list_as_deadlines_close_and_fall_due():
    now = timezone.now()
    filings, late = _four_submitted_around(now, "preview-owner")
    # Two overdue, one due within its day (at risk), one beyond it; the third and fourth filings'
    # pre-review targets are open too but are no list's (a target is a goal, not a deadline).
    assert _preview_totals(now) == {"overdue": 2, "at-risk": 1, "provisional": 2}

    late.filter(filing=filings[0]).update(closed_at=now)
    assert _preview_totals(now) == {"overdue": 1, "at-risk": 1, "provisional": 2}

    # Two and a half hours later the at-risk deadline has fallen due: it moves to the overdue list.
    later = now + timedelta(hours=2, minutes=30)
    assert _preview_totals(later) == {"overdue": 2, "at-risk": 0, "provisional": 2}

    Deadline.objects.filter(filing=filings[3]).update(closed_at=now)
    assert _preview_totals(later) == {"overdue": 2, "at-risk": 0, "provisional": 0}


def test_the_dashboard_shows_each_lists_total_beyond_its_preview(client, manager, long_and_short_lists):
    filings = Filing.objects.filter(assignee__username__startswith="scan-heading-owner")
    client.force_login(manager)
    body = client.get(reverse("filings:dashboard")).content.decode()
    overdue, at_risk, provisional = body.split("<h2>")[2:5]  # after the stage counts' heading
    assert overdue.startswith("超期 <small>(3)</small>")
    assert sum(f'href="/filings/{f.pk}/"' in overdue for f in filings) == 2
    assert at_risk.startswith("临近截止 <small>(0)</small>") and "没有记录。" in at_risk
    assert provisional.startswith("暂定截止时间(待官方日历) <small>(0)</small>")


def _live_totals(now):
    return {slug: rows(now=now).count() for slug, rows in dashboard_stats.DEADLINE_LISTS.items()}


def test_each_complete_scan_keeps_the_deadline_lists_totals_as_of_its_time():
    now = timezone.now()
    _four_submitted_around(now, "scan-total-owner")
    later = now + timedelta(hours=2, minutes=30)  # the at-risk deadline has fallen due by then
    assert _live_totals(now) != _live_totals(later)

    for moment in (now, later):
        alert_scan.scan_deadlines(now=moment)
        scan = AlertScan.objects.get(scanned_until=moment)
        kept = {slug: getattr(scan, field) for slug, field in dashboard_stats.SCAN_TOTAL_FIELDS.items()}
        assert kept == _live_totals(moment), moment
    assert kept == {"overdue": 3, "at-risk": 0, "provisional": 2}


def _list_headings(body: str) -> list[str]:
    # The three lists' headings, after the stage counts' one.
    return [re.match(r"(.*?)</h2>", part, re.S).group(1) for part in body.split("<h2>")[2:5]]


@pytest.fixture
def long_and_short_lists():
    """Three overdue deadlines (a list longer than a preview of 2) and no at-risk or provisional
    one; a preview of 2 rows."""
    from filings.web.views import dashboard as dashboard_view

    now = timezone.now()
    filings = [_submit(f"scan-heading-owner-{n}") for n in range(3)]
    Deadline.objects.filter(filing__in=filings, kind=Deadline.Kind.PREREVIEW_OVERDUE).update(
        due_at=now - timedelta(hours=1)
    )
    dashboard_view.LIST_PREVIEW, size = 2, dashboard_view.LIST_PREVIEW
    yield now
    dashboard_view.LIST_PREVIEW = size


def _scan_with_totals(at, **totals):
    return AlertScan.objects.create(scanned_until=at, started_at=at, finished_at=at, **totals)


SCAN_TOTALS = {"overdue_total": 1234, "at_risk_total": 56, "provisional_total": 7}


def test_a_long_list_shows_the_latest_fresh_scans_total_with_its_time_and_a_short_one_its_rows(
    client, manager, long_and_short_lists
):
    now = long_and_short_lists
    _scan_with_totals(now - timedelta(minutes=3), overdue_total=999, at_risk_total=1, provisional_total=1)
    latest = _scan_with_totals(now - timedelta(seconds=50), **SCAN_TOTALS)
    client.force_login(manager)
    url = reverse("filings:dashboard")
    at = timezone.localtime(latest.scanned_until, ZoneInfo("Asia/Shanghai")).strftime("%H:%M")

    overdue, at_risk, provisional = _list_headings(client.get(url).content.decode())
    assert overdue == f"超期 <small>(1234,截至 {at})</small>"
    # The at-risk and provisional lists are shorter than a preview: whole, and counted by their rows.
    assert at_risk == "临近截止 <small>(0)</small>"
    assert provisional == "暂定截止时间(待官方日历) <small>(0)</small>"
    english = _list_headings(client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert english[0].endswith(f"<small>(1234, as of {at})</small>"), english


def test_a_scans_total_below_a_full_previews_rows_shows_the_rows_shown(client, manager, long_and_short_lists):
    # The scan ran before two of the three overdue deadlines fell due: it counted one.
    now = long_and_short_lists
    latest = _scan_with_totals(
        now - timedelta(seconds=30), overdue_total=1, at_risk_total=0, provisional_total=0
    )
    client.force_login(manager)
    at = timezone.localtime(latest.scanned_until, ZoneInfo("Asia/Shanghai")).strftime("%H:%M")
    overdue, _at_risk, _provisional = _list_headings(
        client.get(reverse("filings:dashboard")).content.decode()
    )
    assert overdue == f"超期 <small>(2,截至 {at})</small>"


@pytest.mark.parametrize(
    "scan",
    [
        pytest.param(None, id="no scan yet"),
        pytest.param({"minutes": 6, **SCAN_TOTALS}, id="the latest scan is stale"),
        pytest.param({"minutes": 1}, id="the latest scan kept no totals"),
        pytest.param({"minutes": -1, **SCAN_TOTALS}, id="the only scan is ahead of this clock"),
    ],
)
def test_without_a_fresh_scan_the_dashboard_counts_its_lists_live(
    client, manager, long_and_short_lists, scan
):
    now = long_and_short_lists
    if scan is not None:
        totals = {field: n for field, n in scan.items() if field != "minutes"}
        _scan_with_totals(now - timedelta(minutes=scan["minutes"]), **totals)
    client.force_login(manager)
    overdue, _at_risk, _provisional = _list_headings(
        client.get(reverse("filings:dashboard")).content.decode()
    )
    assert overdue == "超期 <small>(3)</small>"
