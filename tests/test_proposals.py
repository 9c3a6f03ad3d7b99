"""注销主体, and the cancellation the product proposes when a site's domains expire or its hosting stops."""

from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from filings.models import Domain, Filing, SmsVerifier, Website
from filings.rules.proposals import proposed_cancellations
from filings.services import cancellations, transitions
from tests import factories


def test_nothing_is_proposed_for_a_live_site(published):
    assert proposed_cancellations(published, today=timezone.localdate()) == []


def test_expired_domains_propose_cancelling_the_website(published):
    today = timezone.localdate()
    Domain.objects.filter(website__filing=published).update(expires_on=today - timedelta(days=1))
    (proposal,) = proposed_cancellations(published, today=today)
    assert (proposal.scope, proposal.reason) == ("website", "domain_expired")
    assert "域名已全部到期" in proposal.why


def test_hosting_that_stopped_proposes_cancelling_access(published):
    today = timezone.localdate()
    Website.objects.filter(filing=published).update(server_valid_until=today - timedelta(days=3))
    (proposal,) = proposed_cancellations(published, today=today)
    assert (proposal.scope, proposal.reason) == ("access", "hosting_ended")


def test_a_cancelled_website_or_a_draft_gets_no_proposal(published, filing):
    today = timezone.localdate()
    Website.objects.filter(filing=published).update(
        server_valid_until=today - timedelta(days=3), cancelled_at=timezone.now()
    )
    assert proposed_cancellations(published, today=today) == []
    Website.objects.filter(filing=filing).update(server_valid_until=today - timedelta(days=3))
    assert proposed_cancellations(filing, today=today) == []


def test_the_detail_page_and_api_propose_it_with_a_prefilled_short_form(published, principal, api):
    today = timezone.localdate()
    Domain.objects.filter(website__filing=published).update(expires_on=today - timedelta(days=1))
    client = Client()
    client.force_login(principal)
    page = client.get(published.get_absolute_url()).content.decode()
    website = published.websites.get()
    assert "建议办理" in page and f"scope=website&amp;website={website.pk}&amp;reason=domain_expired" in page
    form = client.get(
        reverse("filings:cancel-open", args=[published.pk])
        + f"?scope=website&website={website.pk}&reason=domain_expired"
    )
    assert 'value="domain_expired" selected' in form.content.decode()
    data = api(principal).get(f"/api/v1/filings/{published.pk}/").json()
    assert data["proposed_cancellations"][0]["scope"] == "website"


def test_cancel_subject_cancels_every_website_and_app_of_the_subject(published, principal, reviewer):
    app_filing = factories.publish(
        factories.ready_app_filing(published), reviewer=reviewer, icp_number=published.icp_number
    )
    filing = cancellations.open_cancellation(
        published, by=principal, scope="subject", reason="subject_dissolved", confirm=True
    )
    assert (
        filing.filing_type == Filing.Type.CANCEL and filing.cancellation.item_name == published.subject.name
    )
    factories.add_required_materials(filing)
    filing = transitions.pass_review(transitions.submit_filing(filing, by=principal), by=reviewer)
    for verifier in SmsVerifier.objects.filter(filing=filing):
        filing = transitions.record_sms_verification(filing, verifier_id=verifier.pk, by=reviewer)
    cancellations.approve_cancellation(filing, by=reviewer)
    assert published.websites.get().cancelled_at is not None
    assert app_filing.apps.get().cancelled_at is not None
