"""One open filing per subject: the refusal of a second names the open one, with a link, to a user
who may see it (their own, or any to staff who see every filing), and to no one else."""

import re

import pytest
from django.urls import reverse

from filings.exceptions import InvalidInput
from filings.models import Filing, Subject
from filings.services import changes
from filings.services.draft_parts import refuse_second_open_filing
from tests import factories
from tests.test_api import LIST, payload, post_json
from tests.test_principal_views import entry_data

pytestmark = pytest.mark.django_db

CREATE = reverse("filings:create") + "?filing_type=first&province=44"
PLAIN = "该主体已有一个进行中的备案,请先完成或撤回。"


def _messages(page: str) -> list[str]:
    return re.findall(r'<ul class="messages">(.*?)</ul>', page, re.S)


def test_the_owner_of_the_open_filing_is_told_which_it_is_with_a_link(client_for, principal):
    data = entry_data()
    assert client_for(principal).post(CREATE, data).status_code == 302
    first = Filing.objects.get(assignee=principal)
    response = client_for(principal).post(CREATE, data)
    assert response.status_code == 400
    [shown] = _messages(response.content.decode())
    assert f"编号 {first.pk}" in shown and "首次备案" in shown and PLAIN not in shown
    assert f'href="{reverse("filings:detail", args=[first.pk])}"' in shown
    assert Filing.objects.count() == 1


def test_someone_elses_open_filing_is_not_named(client_for, principal, other_principal):
    data = entry_data()
    assert client_for(principal).post(CREATE, data).status_code == 302
    first = Filing.objects.get(assignee=principal)
    response = client_for(other_principal).post(CREATE, data)
    assert response.status_code == 400
    [shown] = _messages(response.content.decode())
    assert PLAIN in shown and f"编号 {first.pk}" not in shown and "href" not in shown
    assert Filing.objects.count() == 1


def test_the_api_names_it_to_its_owner_only(api, principal, other_principal):
    data = payload()
    first = post_json(api(principal), LIST, data).json()["id"]
    mine = post_json(api(principal), LIST, data)
    theirs = post_json(api(other_principal), LIST, data)
    assert mine.status_code == theirs.status_code == 400
    assert f"编号 {first}" in mine.json()["detail"]
    assert theirs.json()["detail"] == PLAIN


def test_staff_who_see_every_filing_are_told_which_it_is(principal, manager):
    first = factories.ready_filing(assignee=principal)
    number = first.subject.certificate_number
    with pytest.raises(InvalidInput) as seen:
        refuse_second_open_filing(number, by=manager)
    assert f"编号 {first.pk}" in str(seen.value.message) and seen.value.open_filing == first
    with pytest.raises(InvalidInput) as other:
        refuse_second_open_filing(number, by=factories.principal_user(username="principal-c"))
    assert str(other.value.message) == PLAIN and other.value.open_filing is None


def test_someone_elses_change_under_way_is_not_named(principal, other_principal, reviewer):
    """The same subject entered twice (two customers' rows with one certificate number)."""
    theirs = factories.published_filing(assignee=other_principal, reviewer=reviewer)
    change = changes.open_change(theirs, by=other_principal)
    mine = factories.published_filing(assignee=principal, reviewer=reviewer)
    Subject.objects.filter(pk=mine.subject_id).update(certificate_number=theirs.subject.certificate_number)
    mine.refresh_from_db()
    with pytest.raises(InvalidInput) as refused:
        changes.open_change(mine, by=principal)
    assert f"编号 {change.pk}" not in str(refused.value.message) and refused.value.open_filing is None
    with pytest.raises(InvalidInput) as own:
        changes.open_change(theirs, by=other_principal)
    assert f"编号 {change.pk}" in str(own.value.message) and own.value.open_filing == change
