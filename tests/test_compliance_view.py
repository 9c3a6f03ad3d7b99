"""The compliance view (issue #25): open rectifications by province and kind, oldest first, in keyset
pages and as CSV; the filing pages show the last checks, open rectifications and call records."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from filings.models import CallAttempt, Deadline, Province, SiteCheck
from filings.reads import compliance
from filings.services import rectifications
from tests import factories

pytestmark = pytest.mark.django_db

Kind = Deadline.Kind


def _published(principal, reviewer, province_code="44"):
    filing = factories.ready_filing(assignee=principal, province_code=province_code)
    # Created well before the calls the tests record (a call before it is refused).
    filing.created_at = timezone.now() - timedelta(days=400)
    filing.save(update_fields=["created_at"])
    return factories.publish(filing, reviewer=reviewer)


@pytest.fixture
def three(principal, reviewer):
    now = timezone.now()
    filings = [_published(principal, reviewer, code) for code in ("44", "44", "11")]
    rectifications.open_rectification(filings[0], Kind.SITE_UNREACHABLE, now=now - timedelta(days=3))
    rectifications.open_rectification(filings[1], Kind.FOOTER_FIX, now=now - timedelta(days=5))
    rectifications.open_rectification(filings[2], Kind.SITE_UNREACHABLE, now=now - timedelta(days=1))
    return filings


def test_open_rectifications_oldest_first_by_province_and_kind_in_keyset_pages(three):
    page = compliance.rectification_page(size=2)
    assert [d.filing_id for d in page.rows] == [three[1].pk, three[0].pk]
    rest = compliance.rectification_page(size=2, after=page.next)
    assert [d.filing_id for d in rest.rows] == [three[2].pk] and rest.next is None
    guangdong = Province.objects.get(code="44")
    assert [d.filing_id for d in compliance.rectification_page(province_id=guangdong.pk).rows] == [
        three[1].pk,
        three[0].pk,
    ]
    assert [d.filing_id for d in compliance.rectification_page(kind=Kind.SITE_UNREACHABLE).rows] == [
        three[0].pk,
        three[2].pk,
    ]


def test_reviewers_and_managers_see_the_list_and_its_csv(three, reviewer, manager, principal, client_for):
    url = reverse("filings:compliance")
    for user in (reviewer, manager):
        response = client_for(user).get(url, {"kind": Kind.SITE_UNREACHABLE, "province": "44"})
        assert response.status_code == 200
        assert [d.filing_id for d in response.context["page"].rows] == [three[0].pk]
    csv = b"".join(client_for(manager).get(url, {"format": "csv"}).streaming_content).decode("utf-8-sig")
    lines = csv.strip().splitlines()
    assert len(lines) == 4 and lines[1].startswith(str(three[1].pk))
    assert client_for(principal).get(url).status_code == 403
    assert client_for(reviewer).get(url, {"after": "garbage"}).status_code == 400
    assert client_for(reviewer).get(url, {"kind": "nope"}).status_code == 400


def test_the_csv_names_the_filing_id_as_the_other_exports_do_and_says_provinces_in_the_readers_language(
    three, manager, client_for
):
    url = reverse("filings:compliance")
    client = client_for(manager)

    def rows(language):
        response = client.get(url, {"format": "csv", "province": "44"}, HTTP_ACCEPT_LANGUAGE=language)
        return [
            line.split(",") for line in b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
        ]

    chinese, english = rows("zh-hans"), rows("en")
    # 备案编号 is the filing's reference (the number a bureau result file carries); this column holds its id.
    assert chinese[0][0] == "备案ID" and english[0][0] == "Filing ID"
    assert chinese[1][0] == str(three[1].pk) and chinese[1][3] == "广东省"
    assert english[1][3] == "Guangdong Province"


def test_each_rectification_links_to_a_page_its_reader_may_open(three, reviewer, manager, client_for):
    url = reverse("filings:compliance")
    for user, view in ((reviewer, "filings:review-filing"), (manager, "filings:detail")):
        client = client_for(user)
        body = client.get(url).content.decode()
        link = reverse(view, kwargs={"filing_id": three[1].pk})
        assert f'href="{link}"' in body
        assert client.get(link).status_code == 200


def test_filing_pages_show_checks_rectifications_and_record_calls(three, reviewer, principal, client_for):
    filing = three[0]
    SiteCheck.objects.create(
        filing=filing,
        website=filing.websites.get(),
        url="http://example.cn/",
        resolves=True,
        answered=False,
        failures=["unreachable"],
        problems=["连接超时"],
    )
    page = client_for(reviewer).get(reverse("filings:review-filing", kwargs={"filing_id": filing.pk}))
    text = page.content.decode()
    assert "巡检与整改" in text and "连接超时" in text and "网站无法访问整改" in text
    person = filing.subject_principal
    response = client_for(reviewer).post(
        reverse("filings:review-call", kwargs={"filing_id": filing.pk}),
        {"person": person.pk, "number": person.mobile, "outcome": "out_of_service"},
    )
    assert response.status_code == 302 and CallAttempt.objects.filter(filing=filing).count() == 1
    bad = client_for(reviewer).post(
        reverse("filings:review-call", kwargs={"filing_id": filing.pk}),
        {"person": person.pk, "number": "13900000000", "outcome": "no_answer"},
    )
    assert bad.status_code == 400 and CallAttempt.objects.filter(filing=filing).count() == 1
    own = (
        client_for(principal).get(reverse("filings:detail", kwargs={"filing_id": filing.pk})).content.decode()
    )
    assert "网站无法访问整改" in own and "请提交变更备案更新联系电话" in own


def test_the_call_form_needs_no_script_its_menu_names_person_and_number(three, reviewer, client_for):
    """The review page's menu carries "person|number" in one value (no inline script may copy it into
    other fields: the Content-Security-Policy forbids it), and the view reads both from it."""
    filing = three[0]
    person = filing.subject_principal
    page = client_for(reviewer).get(reverse("filings:review-filing", kwargs={"filing_id": filing.pk}))
    text = page.content.decode()
    assert f'value="{person.pk}|{person.mobile}"' in text and "onchange=" not in text
    url = reverse("filings:review-call", kwargs={"filing_id": filing.pk})
    response = client_for(reviewer).post(
        url, {"contact": f"{person.pk}|{person.mobile}", "outcome": "no_answer"}
    )
    assert response.status_code == 302
    call = CallAttempt.objects.get(filing=filing)
    assert (call.person_id, call.number) == (person.pk, person.mobile)
    refused = client_for(reviewer).post(url, {"contact": "x|", "outcome": "no_answer"})
    assert refused.status_code == 400 and CallAttempt.objects.filter(filing=filing).count() == 1


def test_the_call_form_takes_the_time_of_the_call_and_offers_no_sms_outcome(three, reviewer, client_for):
    filing = three[0]
    person = filing.subject_principal
    page = client_for(reviewer).get(reverse("filings:review-filing", kwargs={"filing_id": filing.pk}))
    text = page.content.decode()
    assert 'name="called_at"' in text and 'value="undelivered"' not in text
    url = reverse("filings:review-call", kwargs={"filing_id": filing.pk})
    response = client_for(reviewer).post(
        url,
        {"contact": f"{person.pk}|{person.mobile}", "outcome": "no_answer", "called_at": "2026-01-05T09:30"},
    )
    assert response.status_code == 302
    call = CallAttempt.objects.get(filing=filing)
    assert timezone.localtime(call.called_at).strftime("%Y-%m-%d %H:%M") == "2026-01-05 09:30"
    for outcome in ("undelivered", "maybe"):
        refused = client_for(reviewer).post(
            url, {"contact": f"{person.pk}|{person.mobile}", "outcome": outcome}
        )
        assert refused.status_code == 400
    assert CallAttempt.objects.filter(filing=filing).count() == 1


def test_a_refused_call_says_why_and_leads_back_to_the_filing(three, reviewer, client_for):
    filing = three[0]
    person = filing.subject_principal
    url = reverse("filings:review-call", kwargs={"filing_id": filing.pk})
    later = (timezone.localtime() + timedelta(days=400)).strftime("%Y-%m-%dT%H:%M")
    back = reverse("filings:review-filing", kwargs={"filing_id": filing.pk}) + "#compliance"
    for values in (
        {"contact": f"{person.pk}|{person.mobile}", "outcome": "answered", "called_at": later},
        {"contact": "", "outcome": "answered"},
    ):
        refused = client_for(reviewer).post(url, values)
        page = refused.content.decode()
        assert refused.status_code == 400
        assert "电话核实未记录" in page and f'href="{back}"' in page
    assert not CallAttempt.objects.filter(filing=filing).exists()


def test_a_call_before_the_filing_was_created_is_refused_like_a_future_one(three, reviewer, client_for):
    filing = three[0]
    person = filing.subject_principal
    url = reverse("filings:review-call", kwargs={"filing_id": filing.pk})
    before = (timezone.localtime(filing.created_at) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    refused = client_for(reviewer).post(
        url, {"contact": f"{person.pk}|{person.mobile}", "outcome": "answered", "called_at": before}
    )
    page = refused.content.decode()
    assert refused.status_code == 400
    assert "电话核实未记录" in page and "拨打时间不能早于备案创建时间" in page
    assert not CallAttempt.objects.filter(filing=filing).exists()
    # The minute the filing was created in is not before it: the form takes no seconds.
    created = timezone.localtime(filing.created_at).strftime("%Y-%m-%dT%H:%M")
    taken = client_for(reviewer).post(
        url, {"contact": f"{person.pk}|{person.mobile}", "outcome": "answered", "called_at": created}
    )
    assert taken.status_code == 302 and CallAttempt.objects.filter(filing=filing).count() == 1
