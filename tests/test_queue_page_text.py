"""What a queue page prints from the data (filings/web/views/queue_rows.py): every text is escaped,
whichever cell or option it lands in, and the page's words are escaped once per page."""

import pytest
from django.urls import reverse

from filings.models import Province
from filings.services import transitions
from tests import factories

pytestmark = pytest.mark.django_db

MARKUP = '<i>"甲&乙"</i>'
ESCAPED = "&lt;i&gt;&quot;甲&amp;乙&quot;&lt;/i&gt;"
# A province's short name holds up to eight characters.
SHORT, SHORT_ESCAPED = '<b>&"粤', "&lt;b&gt;&amp;&quot;粤"


def test_every_text_a_queue_row_and_the_province_filter_print_is_escaped(principal, reviewer, client):
    filing = transitions.submit_filing(factories.ready_filing(assignee=principal), by=principal)
    other = factories.reviewer_user(username="queue-other", display_name=f"{MARKUP}审核员")
    transitions.claim_filing(filing, by=other)
    Province.objects.filter(pk=filing.province_id).update(short_name=SHORT, name=f"{MARKUP}广东省", code="4'")
    filing.subject.name = f"{MARKUP}科技有限公司"
    filing.subject.save()
    client.force_login(reviewer)
    body = client.get(reverse("filings:review-queue", kwargs={"queue": "provider_review"})).content.decode()
    row = body[body.index('<tr class="') : body.index("</tr>", body.index('<tr class="'))]
    for text in ("科技有限公司", "审核员"):
        assert f"{ESCAPED}{text}" in row, text
    # The province's cell and the estimate's basis both name it.
    assert row.count(SHORT_ESCAPED) == 2, row
    assert "<i>" not in body and "<b>" not in body
    assert f'<option value="4&#x27;">{ESCAPED}广东省</option>' in body
    # Another reviewer's filing offers this reviewer a claim button for it.
    assert f'formaction="/filings/review/{filing.pk}/claim/"' in row
