"""Bureau decisions imported from a result file (issue #26): preview, apply through the transition
services, idempotence, and bad files refused or reported per row."""

import io

import pytest
from django.core import mail
from openpyxl import Workbook

from filings.exceptions import ConflictError, InvalidInput
from filings.kinds.states import State
from filings.models import BureauImport, BureauImportRow, Deadline, Filing, FilingEvent, Notification
from filings.services import bureau_apply, bureau_import, notifications, transition_batch
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
Row = BureauImportRow
HEADER = "备案编号,证件号码,网站域名,审核结果,备案号,原因,审核日期"


def in_bureau(principal, reviewer, province_code: str = "44") -> Filing:
    filing = factories.ready_filing(assignee=principal, province_code=province_code)
    return factories.carry_to_bureau(filing, reviewer=reviewer)


def domain_of(filing: Filing) -> str:
    return filing.websites.get().domains.get().name


def csv_bytes(*lines: str, encoding: str = "utf-8") -> bytes:
    return "\n".join([HEADER, *lines]).encode(encoding)


def approve_line(filing: Filing, number: str, *, by_reference: bool = True) -> str:
    if by_reference:
        return f"{filing.reference},,,通过,{number},,2026-03-05"
    return f",{filing.subject.certificate_number},{domain_of(filing)},通过,{number},,2026-03-05"


def reject_line(filing: Filing, reasons: str = "网站名称与内容不符;负责人电话无法接通") -> str:
    return f",{filing.subject.certificate_number},{domain_of(filing)},驳回,,{reasons},2026/3/6"


def upload(reviewer, data: bytes, name: str = "结果.csv") -> BureauImport:
    return bureau_import.upload_results(by=reviewer, name=name, data=data)


def apply(upload_: BureauImport, reviewer) -> BureauImport:
    bureau_import.request_apply(upload_, by=reviewer)
    return bureau_apply.run_apply(upload_.pk)


def rows(upload_: BureauImport) -> list[BureauImportRow]:
    return list(upload_.rows.order_by("line"))


def test_preview_matches_each_row_and_changes_nothing(principal, reviewer):
    approved, rejected = in_bureau(principal, reviewer), in_bureau(principal, reviewer)
    draft = factories.ready_filing(assignee=principal)
    data = csv_bytes(
        approve_line(approved, "粤ICP备2026000001号"),
        reject_line(rejected),
        "00000000-0000-0000-0000-000000000000,,,通过,粤ICP备2026000002号,,2026-03-05",
        approve_line(draft, "粤ICP备2026000003号"),
    )
    result = upload(reviewer, data)
    first, second, unknown, wrong_stage = rows(result)
    assert (first.filing, first.action, first.status) == (approved, "approved", Row.Status.READY)
    assert (second.filing, second.action, second.status) == (rejected, "rejected", Row.Status.READY)
    assert second.reasons == ["网站名称与内容不符", "负责人电话无法接通"]
    assert unknown.status == Row.Status.INVALID and "找不到对应的备案" in unknown.message
    assert wrong_stage.status == Row.Status.INVALID and "信息填报" in wrong_stage.message
    assert Filing.objects.filter(state=State.BUREAU_REVIEW).count() == 2
    assert result.status == BureauImport.Status.PREVIEW and result.rows_total == 4


def test_applying_goes_through_the_transition_services_and_names_the_import(
    principal, reviewer, django_capture_on_commit_callbacks
):
    approved, rejected = in_bureau(principal, reviewer), in_bureau(principal, reviewer)
    result = upload(reviewer, csv_bytes(approve_line(approved, "粤ICP备2026000001号"), reject_line(rejected)))
    with django_capture_on_commit_callbacks(execute=False):
        bureau_import.request_apply(result, by=reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        bureau_apply.run_apply(result.pk)
    approved.refresh_from_db()
    rejected.refresh_from_db()
    assert approved.state == State.PUBLISHED and approved.icp_number == "粤ICP备2026000001号"
    assert approved.websites.get().icp_number == "粤ICP备2026000001号-1"
    assert approved.version > 1 and rejected.state == State.ENTRY
    event = FilingEvent.objects.filter(filing=rejected).latest("at", "id")
    assert event.transition == "reject" and event.actor == reviewer
    assert [r["reason"] for r in event.reasons] == ["网站名称与内容不符", "负责人电话无法接通"]
    assert f"管局结果导入 #{result.pk}" in event.comment and "第 3 行" in event.comment
    approval = FilingEvent.objects.filter(filing=approved).latest("at", "id")
    assert approval.transition == "approve" and "粤ICP备2026000001号" in approval.comment
    assert f"#{result.pk}" in approval.comment
    assert Notification.objects.filter(event=event, user=principal).exists()
    assert len(mail.outbox) == 2
    # The bureau's deadline closed and the next stage's opened, as for a decision typed by hand.
    assert not Deadline.objects.filter(
        filing=approved, stage="bureau_review", closed_at__isnull=True
    ).exists()
    result.refresh_from_db()
    assert result.status == BureauImport.Status.APPLIED and result.rows_done == 2 and result.percent == 100
    assert {row.status for row in rows(result)} == {Row.Status.APPLIED}


@pytest.mark.usefixtures("file_storage")
def test_applying_again_or_uploading_the_same_file_again_changes_nothing(principal, reviewer):
    approved, rejected = in_bureau(principal, reviewer), in_bureau(principal, reviewer)
    data = csv_bytes(approve_line(approved, "粤ICP备2026000001号"), reject_line(rejected))
    first = apply(upload(reviewer, data), reviewer)
    events = FilingEvent.objects.count()
    versions = list(Filing.objects.order_by("pk").values_list("version", flat=True))
    first.status = BureauImport.Status.PREVIEW
    first.save(update_fields=["status"])
    # Nothing is left to import: the request is refused rather than queued.
    with pytest.raises(ConflictError, match="该导入没有可导入的行"):
        apply(first, reviewer)
    again = upload(reviewer, data)
    assert {row.status for row in rows(again)} == {Row.Status.RECORDED}
    # Each upload keeps its own file, whatever its name and second.
    assert again.file.name != first.file.name and again.file.read() == first.file.read() == data
    with pytest.raises(ConflictError, match="该导入没有可导入的行"):
        apply(again, reviewer)
    assert BureauImport.objects.get(pk=again.pk).status == BureauImport.Status.PREVIEW
    assert FilingEvent.objects.count() == events
    assert list(Filing.objects.order_by("pk").values_list("version", flat=True)) == versions


def test_a_partly_applied_file_is_applied_again_after_a_fault(principal, reviewer, monkeypatch):
    filings = [in_bureau(principal, reviewer) for _ in range(3)]
    data = csv_bytes(*(approve_line(f, f"粤ICP备202600000{i}号") for i, f in enumerate(filings, 1)))
    result = upload(reviewer, data)
    real = transition_batch.record_steps
    calls = []

    def worker_dies_in_the_second_chunk(steps, **kwargs):
        calls.append(len(steps))
        if len(calls) == 2:
            raise RuntimeError("worker lost")
        return real(steps, **kwargs)

    monkeypatch.setattr(bureau_apply, "CHUNK_ROWS", 2)
    monkeypatch.setattr(transition_batch, "record_steps", worker_dies_in_the_second_chunk)
    stopped = apply(result, reviewer)
    assert stopped.status == BureauImport.Status.FAILED and "再次导入" in stopped.error
    assert BureauImport.objects.get(pk=result.pk).rows_done == 2
    states = [Filing.objects.get(pk=f.pk).state for f in filings]
    assert states == [State.PUBLISHED, State.PUBLISHED, State.BUREAU_REVIEW]
    assert [row.status for row in rows(result)] == [Row.Status.APPLIED, Row.Status.APPLIED, Row.Status.READY]
    monkeypatch.setattr(transition_batch, "record_steps", real)
    finished = apply(result, reviewer)
    assert finished.status == BureauImport.Status.APPLIED
    assert [Filing.objects.get(pk=f.pk).state for f in filings] == [State.PUBLISHED] * 3
    for filing in filings:
        assert FilingEvent.objects.filter(filing=filing, transition="approve").count() == 1


def test_nothing_is_half_applied_within_a_row(principal, reviewer, monkeypatch):
    filing = in_bureau(principal, reviewer)
    result = upload(reviewer, csv_bytes(approve_line(filing, "粤ICP备2026000001号")))
    version = filing.version

    def refused(events):
        raise InvalidInput("通知无法记录")

    # The chunk's write fails, so its row goes through the single service, whose write fails too.
    monkeypatch.setattr(notifications, "record_decisions", refused)
    apply(result, reviewer)
    row = rows(result)[0]
    assert row.status == Row.Status.FAILED and row.message == "通知无法记录"
    filing.refresh_from_db()
    assert (filing.state, filing.version, filing.icp_number) == (State.BUREAU_REVIEW, version, "")
    assert filing.websites.get().icp_number == ""
    assert not FilingEvent.objects.filter(filing=filing, transition="approve").exists()


def test_gbk_and_utf8_with_bom_are_read(principal, reviewer):
    filing = in_bureau(principal, reviewer)
    for data in (
        csv_bytes(reject_line(filing), encoding="gbk"),
        b"\xef\xbb\xbf" + csv_bytes(reject_line(filing)),
    ):
        row = rows(upload(reviewer, data))[0]
        assert (row.filing, row.status, row.reasons[0]) == (filing, Row.Status.READY, "网站名称与内容不符")


@pytest.mark.usefixtures("file_storage")
def test_excel_files_are_read_and_formulas_refused(principal, reviewer):
    filing, other = in_bureau(principal, reviewer), in_bureau(principal, reviewer)
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append([str(filing.reference), None, None, "通过", "粤ICP备2026000001号", None, "2026-03-05"])
    sheet.append([str(other.reference), None, None, "驳回", None, '=HYPERLINK("http://x","y")', "2026-03-05"])
    out = io.BytesIO()
    book.save(out)
    good, formula = rows(upload(reviewer, out.getvalue(), name="结果.xlsx"))
    assert good.status == Row.Status.READY and good.filing == filing
    assert formula.status == Row.Status.INVALID and "疑似公式" in formula.message


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_cells_that_read_as_formulas_are_refused_per_row(principal, reviewer, start):
    filing = in_bureau(principal, reviewer)
    row = rows(upload(reviewer, csv_bytes(reject_line(filing, reasons=f"{start}cmd|' /C calc'!A0"))))[0]
    assert row.status == Row.Status.INVALID and f"以“{start}”开头" in row.message


def test_files_that_cannot_be_read_are_refused(reviewer):
    with pytest.raises(InvalidInput, match="编码"):
        upload(reviewer, csv_bytes(",,,通过,粤ICP备2026000001号,,2026-03-05", encoding="utf-16"))
    with pytest.raises(InvalidInput, match="缺少列:审核结果") as refused:
        upload(reviewer, "备案编号,备案号,审核日期\nx,y,2026-03-05".encode())
    assert refused.value.details == {"file": ["缺少列:审核结果"]}
    with pytest.raises(InvalidInput, match="无法识别的列:颜色"):
        upload(reviewer, (HEADER + ",颜色\n").encode() + b"a,,,\xe9\x80\x9a\xe8\xbf\x87,,,,\n")
    with pytest.raises(InvalidInput, match="Excel"):
        upload(reviewer, b"PK\x03\x04 not a workbook", name="x.xlsx")
    assert not BureauImport.objects.exists()


def test_duplicated_rows_and_wrong_province_numbers_are_reported(principal, reviewer):
    guangdong, beijing = in_bureau(principal, reviewer), in_bureau(principal, reviewer, province_code="11")
    data = csv_bytes(
        reject_line(guangdong),
        reject_line(guangdong),
        approve_line(beijing, "粤ICP备2026000001号", by_reference=False),
        approve_line(guangdong, "粤ICP备2026000001号"),
    )
    first, duplicate, wrong_province, same_filing = rows(upload(reviewer, data))
    assert first.status == Row.Status.READY
    assert duplicate.status == Row.Status.INVALID and "第 2 行" in duplicate.message
    assert same_filing.status == Row.Status.INVALID and "第 2 行" in same_filing.message
    assert wrong_province.status == Row.Status.INVALID
    assert "京" in wrong_province.message and "粤ICP备2026000001号" in wrong_province.message


def test_rows_without_what_a_decision_needs_are_reported(principal, reviewer):
    filing = in_bureau(principal, reviewer)
    data = csv_bytes(
        f"{filing.reference},,,同意,粤ICP备2026000001号,,2026-03-05",
        f"{filing.reference},,,通过,,,2026-03-05",
        f"{filing.reference},,,驳回,,,2026-03-05",
        f"{filing.reference},,,通过,粤ICP备2026000001号,,下周",
    )
    messages = [row.message for row in rows(upload(reviewer, data))]
    assert "无法识别" in messages[0] and "须填写备案号" in messages[1]
    assert "须填写原因" in messages[2] and "审核日期" in messages[3]


def test_only_reviewers_import(principal, manager):
    from django.core.exceptions import PermissionDenied

    for user in (principal, manager):
        with pytest.raises(PermissionDenied):
            upload(user, csv_bytes())


def test_two_uploads_of_one_file_previewed_before_either_applies_decide_once(principal, reviewer):
    filing = in_bureau(principal, reviewer)
    data = csv_bytes(reject_line(filing))
    first, second = upload(reviewer, data), upload(reviewer, data, name="again.csv")
    assert rows(second)[0].status == Row.Status.READY
    apply(first, reviewer)
    apply(second, reviewer)
    row = rows(second)[0]
    assert row.status == Row.Status.RECORDED and "已导入过" in row.message
    assert FilingEvent.objects.filter(filing=filing, transition="reject").count() == 1
