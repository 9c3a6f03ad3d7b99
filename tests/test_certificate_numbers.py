"""Certificate numbers are stored in one form (upper case, no spaces or hyphens) on every way in."""

import importlib

import pytest
from django.apps import apps as global_apps
from django.urls import reverse

from filings.exceptions import InvalidInput
from filings.models import Domain, Filing, Person, Subject
from filings.services import drafts
from tests import factories
from tests.test_api import LIST, payload, post_json
from tests.test_principal_views import entry_data

TYPED = "91-440300 708461136t"
STORED = "91440300708461136T"

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_for(client):
    def make(user):
        client.force_login(user)
        return client

    return make


def test_entry_page_stores_the_normalised_number(client_for, principal):
    data = entry_data(
        **{
            "subject-certificate_number": TYPED,
            "websites-0-domains-0-registrant_certificate_number": "9144 0300-7084 61136t",
            "subject_principal-id_number": "11010519491231002x",
        }
    )
    response = client_for(principal).post(reverse("filings:create") + "?filing_type=first&province=44", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    filing = Filing.objects.get(assignee=principal)
    assert filing.subject.certificate_number == STORED
    assert filing.subject_principal.id_number == "11010519491231002X"
    assert Domain.objects.get(website__filing=filing).registrant_certificate_number == STORED


def test_api_stores_the_normalised_number(api, principal):
    data = payload(certificate_number=TYPED)
    data["subject_principal"]["id_number"] = "11010519491231002x"
    data["websites"][0]["domains"][0]["registrant_certificate_number"] = TYPED
    response = post_json(api(principal), LIST, data)
    assert response.status_code == 201, response.json()
    filing = Filing.objects.get(pk=response.json()["id"])
    assert filing.subject.certificate_number == STORED
    assert filing.subject_principal.id_number == "11010519491231002X"
    assert Domain.objects.get(website__filing=filing).registrant_certificate_number == STORED


def test_second_open_filing_with_the_same_number_typed_differently_is_refused(api, principal):
    first = post_json(api(principal), LIST, payload(certificate_number=STORED))
    assert first.status_code == 201
    second = post_json(api(principal), LIST, payload(certificate_number="91 4403-00708461136t"))
    assert second.status_code == 400
    assert "进行中的备案" in str(second.json())


def test_service_refuses_a_second_open_filing_typed_differently(principal):
    filing = factories.ready_filing(province_code="44")
    Subject.objects.filter(pk=filing.subject_id).update(certificate_number=STORED)
    data = payload(certificate_number="914403-00708461136t")
    with pytest.raises(InvalidInput):
        drafts.create_filing(
            by=principal,
            province_id=filing.province_id,
            filing_type="first",
            subject=data["subject"],
            subject_principal=data["subject_principal"],
            websites=[],
        )


def test_admin_form_stores_the_normalised_number(client, db):
    from accounts.roles import Role

    admin_user = factories.UserFactory(username="admin-cert", role=Role.ADMIN)
    admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    person = factories.ready_filing(province_code="44").subject_principal
    url = reverse("admin:filings_person_change", args=[person.pk])
    response = client.post(
        url,
        {
            "name": person.name,
            "id_kind": person.id_kind,
            "id_number": "110105 19491231002x",
            "mobile": person.mobile,
            "emergency_phone": person.emergency_phone,
            "email": person.email,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    person.refresh_from_db()
    assert person.id_number == "11010519491231002X"


def test_imports_through_the_orm_store_the_normalised_number():
    filing = factories.ready_filing(province_code="44")
    Subject.objects.filter(pk=filing.subject_id).update(certificate_number=TYPED)
    assert Subject.objects.get(pk=filing.subject_id).certificate_number == STORED
    subject = Subject.objects.get(pk=filing.subject_id)
    subject.certificate_number = "914403-00708461136t"
    subject.save()
    subject.refresh_from_db()
    assert subject.certificate_number == STORED
    [person] = Person.objects.bulk_create(
        [Person(name="王五", id_number="11010519491231002x", mobile="13800138000")]
    )
    person.refresh_from_db()
    assert person.id_number == "11010519491231002X"
    # A lookup with the typed form finds the stored one.
    assert Subject.objects.filter(certificate_number=TYPED).exists()


def test_migration_normalises_existing_rows():
    from django.db import connection

    filing = factories.ready_filing(province_code="44")
    with connection.cursor() as cursor:
        # Rows written before the field normalised (raw SQL, as an old release left them).
        cursor.execute(
            f"UPDATE {Subject._meta.db_table} SET certificate_number = %s WHERE id = %s",
            [TYPED, filing.subject_id],
        )
        cursor.execute(
            f"UPDATE {Person._meta.db_table} SET id_number = %s WHERE id = %s",
            ["110105-19491231002x", filing.subject_principal_id],
        )
        cursor.execute(
            f"UPDATE {Domain._meta.db_table} SET registrant_certificate_number = %s WHERE website_id IN "
            f"(SELECT id FROM filings_website WHERE filing_id = %s)",
            [" 91440300708461136t", filing.pk],
        )
    migration = importlib.import_module("filings.migrations.0006_certificate_numbers_normalised")
    migration.normalise_existing(global_apps, None)
    assert Subject.objects.values_list("certificate_number", flat=True).get(pk=filing.subject_id) == STORED
    assert (
        Person.objects.values_list("id_number", flat=True).get(pk=filing.subject_principal_id)
        == "11010519491231002X"
    )
    assert set(
        Domain.objects.filter(website__filing=filing).values_list("registrant_certificate_number", flat=True)
    ) == {STORED}
