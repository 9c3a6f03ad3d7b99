"""The manager dashboard page: summary sections rendered once per statistics refresh, live lists."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from filings import services, stats
from filings.models import Deadline, Province
from tests import factories

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.caching"]


def _submit(username, province_code="44"):
    owner = factories.principal_user(username=username)
    return services.submit_filing(
        factories.ready_filing(assignee=owner, province_code=province_code), by=owner
    )


def _total_in_review(body: str) -> int:
    # The first row of the counts table is the national total, one cell per state in State order.
    totals = re.search(r"<tr><th>合计</th>(.*?)</tr>", body, re.S).group(1)
    cells = re.findall(r'<td class="num">(\d+)</td>', totals)
    return int(cells[1])  # entry, provider_review, …


def test_summary_sections_follow_each_refresh_and_lists_stay_live(client, manager):
    client.force_login(manager)
    url = reverse("filings:dashboard")
    first = _submit("dash-owner-0")
    stats.refresh_summaries(full=True)
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

    stats.refresh_summaries()
    assert _total_in_review(client.get(url).content.decode()) == 2


def test_summary_sections_follow_the_language(client, manager):
    client.force_login(manager)
    _submit("dash-owner-lang")
    stats.refresh_summaries(full=True)
    url = reverse("filings:dashboard")
    assert "各阶段数量" in client.get(url).content.decode()
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "各阶段数量" not in english and "Filings by stage" in english
    assert "各阶段数量" in client.get(url).content.decode()


def test_a_renamed_province_shows_at_once_with_a_shared_cache(client, manager, shared_cache):
    client.force_login(manager)
    _submit("dash-owner-rename", province_code="11")
    stats.refresh_summaries(full=True)
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
        assert "<td>广东</td>" in overdue and "<td>北京</td>" in overdue and "<td>服务商初审</td>" in overdue
        local = timezone.localtime(due[0]).strftime("%Y-%m-%d %H:%M")
        assert local in body
    provisional = client.get(reverse("filings:dashboard-deadlines", kwargs={"kind": "provisional"}))
    body = provisional.content.decode()
    assert f'href="/filings/{filings[1].pk}/"' in body and f'href="/filings/{filings[0].pk}/"' not in body
