"""The admin: every model's pages answer for an admin, and filing transition buttons run the services."""

from datetime import date

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from accounts.roles import Role
from filings.kinds.states import State
from filings.models import CalendarDay, CalendarYear, Deadline, Filing, FilingEvent, PriorApproval
from filings.rules import workdays
from filings.services import transitions
from tests import factories
from tests.test_transitions import bring_to

pytestmark = pytest.mark.usefixtures("fresh_calendar_cache")


@pytest.fixture
def admin_user(db):
    user = factories.UserFactory(username="admin-a", role=Role.ADMIN)
    user.is_superuser = True
    user.save()
    return user


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def populated(principal, reviewer):
    """At least one row of every filings model."""
    published = bring_to(State.PUBLISHED, principal=principal, reviewer=reviewer)
    PriorApproval.objects.create(
        website=published.websites.get(), category="news", licence_number="京ICP证030173号"
    )
    CalendarYear.objects.create(year=2027, official=False)
    CalendarDay.objects.create(date=date(2027, 1, 4), is_workday=False, name="元旦")
    return published


def _url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.django_db
def test_every_admin_page_answers(admin_client, admin_user, populated):
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    assert admin_client.get("/admin/").status_code == 200
    for model, model_admin in admin.site._registry.items():
        changelist = admin_client.get(_url(model, "changelist"))
        assert changelist.status_code == 200, model
        searched = admin_client.get(_url(model, "changelist") + "?q=星河")
        assert searched.status_code == 200, model
        add = admin_client.get(_url(model, "add"))
        assert add.status_code == (200 if model_admin.has_add_permission(request) else 403), model
        instance = model._default_manager.first()
        if instance is not None:
            change = admin_client.get(_url(model, "change", instance.pk))
            assert change.status_code == 200, model


@pytest.mark.django_db
def test_history_cannot_be_changed_in_the_admin(admin_client, populated):
    event = FilingEvent.objects.filter(filing=populated).first()
    response = admin_client.post(_url(FilingEvent, "change", event.pk), {"comment": "篡改"})
    assert response.status_code == 403
    assert admin_client.post(_url(FilingEvent, "delete", event.pk), {"post": "yes"}).status_code == 403
    assert FilingEvent.objects.get(pk=event.pk).comment == event.comment


def _change_form_data(response) -> dict:
    """The POST body the change form would send unchanged (fields and inline formsets)."""
    data = {}

    def put(form, name):
        value = form[name].value()
        if value is None or value is False:
            return
        data[form.add_prefix(name)] = "on" if value is True else value

    form = response.context["adminform"].form
    for name in form.fields:
        put(form, name)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for key, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{key}"] = value
        for inline_form in formset.forms:
            for name in inline_form.fields:
                put(inline_form, name)
    return data


@pytest.mark.django_db
def test_transition_button_runs_through_the_service(admin_client, admin_user, principal, filing):
    url = _url(Filing, "change", filing.pk)
    page = admin_client.get(url)
    assert page.status_code == 200
    assert "提交初审" in page.content.decode()
    data = _change_form_data(page)
    data["_fsm_transition_to"] = "submit"

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    row = Filing.objects.get(pk=filing.pk)
    assert row.state == State.PROVIDER_REVIEW
    assert row.round == 1 and row.version == filing.version + 1
    event = FilingEvent.objects.get(filing=filing, transition="submit")
    assert event.actor == admin_user
    assert (event.from_state, event.to_state) == (State.ENTRY, State.PROVIDER_REVIEW)
    assert set(
        Deadline.objects.filter(filing=filing, closed_at__isnull=True).values_list("kind", flat=True)
    ) == {
        Deadline.Kind.PREREVIEW_TARGET,
        Deadline.Kind.PREREVIEW_OVERDUE,
    }


@pytest.mark.django_db
def test_return_button_takes_structured_reasons(admin_client, admin_user, principal, filing):
    transitions.submit_filing(filing, by=principal)
    url = reverse(
        "admin:filings_filing_transition",
        kwargs={"object_id": filing.pk, "transition_name": "return_to_entry"},
    )
    assert admin_client.get(url).status_code == 200

    response = admin_client.post(
        url,
        {
            "comment": "请修改",
            "field": "website.name",
            "reason": "网站名称与内容不符",
            "suggested_fix": "修改网站名称",
        },
    )

    assert response.status_code == 302
    assert Filing.objects.get(pk=filing.pk).state == State.ENTRY
    event = FilingEvent.objects.get(filing=filing, transition="return_to_entry")
    assert event.actor == admin_user
    assert event.comment == "请修改"
    assert event.reasons == [
        {"field": "website.name", "reason": "网站名称与内容不符", "suggested_fix": "修改网站名称", "code": ""}
    ]


@pytest.mark.django_db
def test_refused_button_shows_the_reason_and_changes_nothing(admin_client, principal, filing):
    from django.utils import timezone

    from filings.models import Website

    Website.objects.filter(filing=filing).update(server_valid_until=timezone.localdate())
    url = _url(Filing, "change", filing.pk)
    data = _change_form_data(admin_client.get(url))
    data["_fsm_transition_to"] = "submit"

    response = admin_client.post(url, data, follow=True)

    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert any("服务器" in m and "3个月" in m for m in messages), messages
    assert Filing.objects.get(pk=filing.pk).state == State.ENTRY
    assert not FilingEvent.objects.filter(filing=filing, transition="submit").exists()


@pytest.mark.django_db
def test_calendar_year_saved_in_the_admin_recomputes_provisional_deadlines(admin_client, principal):
    from datetime import datetime

    from filings.rules import deadlines

    filing = factories.ready_filing(assignee=principal)
    entered = datetime(2026, 12, 15, 10, 0, tzinfo=workdays.SHANGHAI)
    Filing.objects.filter(pk=filing.pk).update(
        state=State.BUREAU_REVIEW, stage_visit=4, stage_entered_at=entered
    )
    deadlines.open_stage_deadlines(Filing.objects.get(pk=filing.pk), now=entered)
    assert Deadline.objects.get(filing=filing, closed_at__isnull=True).provisional

    response = admin_client.post(
        _url(CalendarYear, "add"), {"year": 2027, "official": "on", "notice": "2027年通知"}
    )

    assert response.status_code == 302
    deadline = Deadline.objects.get(filing=filing, closed_at__isnull=True)
    assert not deadline.provisional
