"""Exports: CSV streamed in keyset batches with a constant number of queries; Excel made by a worker
as a job the asking user follows and alone may download."""

import csv
import io
from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from filings.kinds.states import State
from filings.models import Deadline, ExportJob, Filing
from filings.reads import exports
from filings.reads.estimates import PublicationEstimator
from filings.rules import workdays
from filings.rules.workdays import SHANGHAI
from filings.services import exports as export_service
from tests import factories

QUEUE_URL = "/filings/review/queues/provider_review/"
OPEN_URL = "/filings/dashboard/open/"
ENTERED = datetime(2026, 11, 2, 9, 30, tzinfo=SHANGHAI)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("file_storage")]


def _in_review(count: int, *, province_code: str = "44", reviewer=None, entered=ENTERED) -> list[Filing]:
    """Filings in provider review with their open pre-review deadline, made without the workflow."""
    province = factories.province(province_code)
    filings = [
        factories.FilingFactory(subject=factories.SubjectFactory(province=province), province=province)
        for _ in range(count)
    ]
    Filing.objects.filter(pk__in=[f.pk for f in filings]).update(
        state=State.PROVIDER_REVIEW, stage_entered_at=entered, reviewer=reviewer
    )
    Deadline.objects.bulk_create(
        Deadline(
            filing=f,
            province_id=f.province_id,
            stage=State.PROVIDER_REVIEW,
            stage_visit=1,
            kind=Deadline.Kind.PREREVIEW_OVERDUE,
            starts_at=entered,
            due_at=entered + timedelta(days=2, hours=i),
            workdays=2,
        )
        for i, f in enumerate(filings)
    )
    return filings


def _csv(response) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_queue_csv_streams_every_column_of_every_row(client, reviewer):
    filings = _in_review(3, reviewer=reviewer)
    client.force_login(reviewer)
    response = client.get(QUEUE_URL, {"format": "csv", "mine": "1"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="queue-provider_review-')
    assert response["Content-Disposition"].endswith('.csv"')
    rows = _csv(response)
    assert rows[0] == [
        "备案ID",
        "主体",
        "省份",
        "阶段",
        "截止类型",
        "截止时间",
        "暂定",
        "紧急程度",
        "初审员",
        "预计公示日期",
        "预计依据",
    ]
    assert [int(r[0]) for r in rows[1:]] == [f.pk for f in filings]  # nearest deadline first
    first = rows[1]
    assert first[1] == filings[0].subject.name
    assert first[2] == "广东"
    assert first[3] == "服务商初审"
    assert first[4] == "初审超期(2个工作日)"
    assert first[5] == "2026-11-04 09:30"  # China time
    assert first[6] == "" and first[7] == "超期"
    assert first[8] == str(reviewer)
    assert first[9] >= "2026-11-04" and "估算" in first[10]


def test_open_filings_csv_follows_the_list_order_across_batches(client, manager, monkeypatch):
    # Batches of 4 over 11 rows, 6 of them entered at the same moment: the keys must continue
    # exactly where the previous batch ended (ties broken by id), losing and repeating nothing.
    monkeypatch.setattr(exports, "BATCH", 4)
    same = _in_review(6)
    later = _in_review(3, province_code="11", entered=ENTERED + timedelta(hours=1))
    earlier = _in_review(2, entered=ENTERED - timedelta(days=1))
    Filing.objects.filter(pk=later[0].pk).update(state=State.SMS_VERIFICATION)
    client.force_login(manager)
    rows = _csv(client.get(OPEN_URL, {"format": "csv"}))
    expected = [f.pk for f in earlier + same + later[1:]] + [later[0].pk]  # provider_review < sms_…
    assert [int(r[0]) for r in rows[1:]] == expected
    province_rows = _csv(client.get(OPEN_URL, {"format": "csv", "province": "11"}))
    assert [r[2] for r in province_rows[1:]] == ["北京"] * 3


def test_csv_query_count_does_not_grow_with_rows(client, manager, reviewer, django_assert_max_num_queries):
    def queries(url: str, **params) -> tuple[int, int]:
        # The admin's calendar is read at most every 30 s, not per export.
        workdays.is_workday(date(2026, 1, 5))
        with CaptureQueriesContext(connection) as captured:
            rows = _csv(client.get(url, {"format": "csv", **params}))
        return len(captured), len(rows) - 1

    _in_review(5)
    client.force_login(manager)
    few = {url: queries(url) for url in (OPEN_URL, "/filings/dashboard/deadlines/overdue/")}
    _in_review(45, entered=ENTERED - timedelta(days=3))
    for url, (count, rows) in few.items():
        with django_assert_max_num_queries(8):
            many = queries(url)
        assert rows == 5 and many == (count, 50)
    client.force_login(reviewer)
    with django_assert_max_num_queries(8):
        assert queries(QUEUE_URL)[1] == 50


def test_excel_is_offered_with_its_row_cap_and_needs_a_post(client, manager):
    client.force_login(manager)
    body = client.get(
        OPEN_URL, {"format": "xlsx", "state": "provider_review", "province": "44"}
    ).content.decode()
    assert "最多包含前 100,000 行" in body and "100000" not in body and 'method="post"' in body
    assert 'name="state" value="provider_review"' in body and 'name="province" value="44"' in body
    assert "format=csv" in body
    assert not ExportJob.objects.exists()


@pytest.mark.parametrize(
    ("who", "data", "status"),
    [
        ("reviewer", {"source": "open_filings"}, 403),
        ("principal", {"source": "queue", "queue": "provider_review"}, 403),
        ("manager", {"source": "open_filings", "state": "published"}, 400),
        ("manager", {"source": "deadlines", "kind": "nonsense"}, 400),
        ("manager", {"source": "open_filings", "province": "zz"}, 400),
        ("manager", {"source": "everything"}, 400),
    ],
)
def test_export_requests_refused(client, request, who, data, status):
    client.force_login(request.getfixturevalue(who))
    response = client.post(reverse("filings:exports"), data)
    assert response.status_code == status
    assert not ExportJob.objects.exists()


def test_anonymous_users_are_sent_to_log_in(client):
    assert client.post(reverse("filings:exports"), {"source": "open_filings"}).status_code == 302
    assert not ExportJob.objects.exists()


def test_run_export_caps_the_rows_and_says_so(manager):
    _in_review(5)
    job = ExportJob.objects.create(user=manager, source="open_filings", filters={"state": ""}, row_cap=3)
    job = export_service.run_export(job.pk)
    assert job.status == ExportJob.Status.DONE and job.finished_at is not None
    assert (job.rows_expected, job.rows_written, job.truncated) == (3, 3, True)
    rows = list(load_workbook(job.file.open("rb")).active.values)
    assert len(rows) == 5 and rows[-1][0] == "仅导出前 3 行,完整数据请导出 CSV。"
    # A redelivered task leaves a finished job alone.
    again = export_service.run_export(job.pk)
    assert again.finished_at == job.finished_at and again.file.name == job.file.name


def test_a_failed_export_says_so(manager, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(exports, "write_xlsx", broken)
    job = ExportJob.objects.create(user=manager, source="open_filings", filters={}, row_cap=10)
    job = export_service.run_export(job.pk)
    assert job.status == ExportJob.Status.FAILED and "CSV" in job.error and not job.file


def test_job_page_refreshes_until_done_and_only_its_owner_sees_it(client, manager):
    other = factories.manager_user(username="manager-b")
    job = ExportJob.objects.create(user=manager, source="open_filings", filters={}, row_cap=10)
    client.force_login(manager)
    page = client.get(reverse("filings:export", kwargs={"job_id": job.pk})).content.decode()
    assert 'http-equiv="refresh"' in page and "排队中" in page
    assert client.get(reverse("filings:export-download", kwargs={"job_id": job.pk})).status_code == 404
    client.force_login(other)
    assert client.get(reverse("filings:export", kwargs={"job_id": job.pk})).status_code == 404
    assert job.get_source_display() not in client.get(reverse("filings:exports")).content.decode()


def test_job_page_in_english(client, manager):
    job = ExportJob.objects.create(user=manager, source="deadlines", filters={"kind": "overdue"}, row_cap=10)
    client.force_login(manager)
    page = client.get(reverse("filings:export", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Queued" in page and "at most the first 10 rows" in page
    nav = client.get(reverse("filings:exports"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'href="/filings/exports/">My exports</a>' in nav


def test_the_job_page_groups_the_digits_of_its_row_cap(client, manager):
    job = ExportJob.objects.create(user=manager, source="open_filings", filters={}, row_cap=100000)
    client.force_login(manager)
    url = reverse("filings:export", args=[job.pk])
    assert "最多包含前 100,000 行" in client.get(url).content.decode()
    assert "at most the first 100,000 rows" in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    ExportJob.objects.filter(pk=job.pk).update(status="running", rows_written=12000, rows_expected=100000)
    assert "已写 12,000 / 100,000 行" in client.get(url).content.decode()


def test_my_exports_name_the_list_each_export_was_made_of(client, manager):
    factories.province("44")
    made = [
        ("deadlines", {"kind": "overdue", "province": ""}, "截止时间列表 · 超期", "Deadline lists · Overdue"),
        (
            "deadlines",
            {"kind": "at-risk", "province": "44"},
            "截止时间列表 · 临近截止 · 广东",
            "· Due soon · Guangdong",
        ),
        (
            "queue",
            {"queue": "bureau_review", "province": "", "mine": True},
            "审核队列 · 管局审核中",
            "· Under bureau review",
        ),
        ("open_filings", {"state": "entry", "province": ""}, "进行中的备案 · 信息填报", "· Entry"),
    ]
    jobs = [ExportJob.objects.create(user=manager, source=s, filters=f, row_cap=10) for s, f, _, _ in made]
    client.force_login(manager)
    listed = client.get(reverse("filings:exports")).content.decode()
    in_english = client.get(reverse("filings:exports"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for job, (_, _, chinese, english) in zip(jobs, made, strict=True):
        assert chinese in listed and english in in_english, chinese
        page = client.get(reverse("filings:export", args=[job.pk])).content.decode()
        assert chinese in page, chinese


def test_my_exports_read_the_provinces_they_name_in_one_statement(client, manager):
    def statements() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("filings:exports")).status_code == 200
        return len(captured.captured_queries)

    client.force_login(manager)
    codes = ["44", "11", "31"]
    for code in codes:
        factories.province(code)
    ExportJob.objects.create(
        user=manager, source="deadlines", filters={"kind": "overdue", "province": "44"}, row_cap=10
    )
    one = statements()
    for code in codes:
        ExportJob.objects.create(
            user=manager, source="open_filings", filters={"state": "", "province": code}, row_cap=10
        )
    assert statements() == one


def test_old_exports_are_purged_with_their_files(manager, settings):
    settings.BEIAN_EXPORT_KEEP_DAYS = 7
    _in_review(2)
    old, recent = (
        export_service.run_export(
            ExportJob.objects.create(user=manager, source="open_filings", filters={}, row_cap=10).pk
        )
        for _ in range(2)
    )
    ExportJob.objects.filter(pk=old.pk).update(created_at=old.created_at - timedelta(days=8))
    assert old.file.storage.exists(old.file.name)
    assert export_service.purge_exports() == 1
    assert list(ExportJob.objects.all()) == [recent]
    assert not old.file.storage.exists(old.file.name) and recent.file.storage.exists(recent.file.name)


def test_deadline_csv_continues_across_batches_at_shared_and_fractional_due_times(
    client, manager, monkeypatch
):
    # Due times are read as text and only the last row's is parsed into the next batch's key: rows
    # sharing a due time, and due times with fractions of a second, must continue exactly.
    monkeypatch.setattr(exports, "BATCH", 3)
    filings = _in_review(8)
    shared = datetime(2026, 11, 4, 23, 59, 59, tzinfo=SHANGHAI)
    due = [shared, shared + timedelta(microseconds=1), shared, shared, shared - timedelta(microseconds=250)]
    due += [shared + timedelta(seconds=1, microseconds=500_000), shared, shared + timedelta(hours=9)]
    for filing, at in zip(filings, due, strict=True):
        Deadline.objects.filter(filing=filing).update(due_at=at)
    client.force_login(manager)
    rows = _csv(client.get("/filings/dashboard/deadlines/overdue/", {"format": "csv"}))
    deadlines = Deadline.objects.filter(filing__in=filings).order_by("due_at", "id")
    assert [int(r[0]) for r in rows[1:]] == [d.filing_id for d in deadlines]
    assert [r[5] for r in rows[1:]] == ["2026-11-04 23:59"] * 6 + ["2026-11-05 00:00", "2026-11-05 08:59"]
    assert {r[7] for r in rows[1:]} == {"超期"}


def test_csv_estimates_count_from_the_day_the_stage_was_entered_in_china(client, manager):
    # 23:30 and 00:30 China time fall on one day in UTC and on two in China: the estimate counts
    # from the Chinese day, as the estimator does for the filing itself.
    day = timezone.localdate() + timedelta(days=1)
    while not (workdays.is_workday(day) and workdays.is_workday(day + timedelta(days=1))):
        day += timedelta(days=1)
    late = datetime(day.year, day.month, day.day, 23, 30, tzinfo=SHANGHAI)
    filings = _in_review(1, entered=late) + _in_review(
        1, province_code="11", entered=late + timedelta(hours=1)
    )
    estimator = PublicationEstimator()
    expected = [estimator.expect(Filing.objects.get(pk=f.pk)) for f in filings]
    assert expected[0].date != expected[1].date
    client.force_login(manager)
    for url in ("/filings/dashboard/deadlines/provisional/", OPEN_URL):
        Deadline.objects.update(provisional=True)
        rows = _csv(client.get(url, {"format": "csv"}))
        by_filing = {int(r[0]): r[-2:] for r in rows[1:]}
        assert [by_filing[f.pk] for f in filings] == [[e.date.isoformat(), e.basis] for e in expected]


def test_csv_cells_are_what_csv_cell_makes_of_each_whole_column_or_not(client):
    # Columns are checked whole and kept when no value needs care; one that does is written cell by
    # cell. Either way every cell must be csv_cell's, and None an empty cell.
    header = ["备案ID", "=名称", "说明"]
    batches = [
        [[1, "星河科技", "a\nb"], [2, "云帆", "x\n=HYPERLINK(1)"], [3, None, "plain"]],
        [[4, " =1+1", ""], [5, "数据\x07", "-2"], [6, "＋全角", "\t tab"]],
        [[7, "普通", "普通"], [8, "普通", "@普通"]],
    ]
    table = exports.Table(name="t", header=header, batches=iter(batches), queryset=Filing.objects.none())
    body = b"".join(exports.csv_response(table).streaming_content).decode("utf-8")
    expected = io.StringIO()
    writer = csv.writer(expected)
    writer.writerow([exports.csv_cell(v) for v in header])
    writer.writerows([exports.csv_cell(v) for v in row] for batch in batches for row in batch)
    assert body == "\ufeff" + expected.getvalue()
    assert "' =1+1" in body and "'-2" in body and "'＋全角" in body and "\x07" not in body
