"""A resident ID whose check character is wrong: the draft is saved, and the page and the API say so at once."""

import random

import pytest
from django.test import Client
from django.urls import reverse

from filings.formats.identity import make_resident_id
from filings.models import Filing, Person
from tests.test_api import LIST, payload, post_json
from tests.test_principal_views import edit_data, entry_data

pytestmark = pytest.mark.django_db
CHECK_MESSAGE = "身份证号码校验位不正确,请核对证件。"


def wrong_check_character(number: str) -> str:
    return number[:-1] + ("0" if number[-1] != "0" else "1")


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_new_draft_with_a_wrong_check_character_is_saved_and_the_problem_shown(principal):
    client = logged_in(principal)
    bad = wrong_check_character(make_resident_id(random.Random(5), "44"))

    response = client.post(
        reverse("filings:create") + "?province=44&filing_type=first",
        entry_data(**{"subject_principal-id_number": bad}),
        follow=True,
    )

    assert response.status_code == 200
    filing = Filing.objects.get()
    assert filing.subject_principal.id_number == bad  # the draft keeps what was typed
    page = response.content.decode()
    assert "主体负责人的身份证号码:" + CHECK_MESSAGE in page
    assert "草稿已保存,提交前请改正" in page

    # The entry form marks the field itself whenever it is opened.
    form = client.get(reverse("filings:edit", args=[filing.pk])).content.decode()
    field = form.split('id="id_subject_principal-id_number"')[0].rsplit('<div class="field', 1)[1]
    assert "attention" in field
    assert f'<p class="note" id="id_subject_principal-id_number-notes">{CHECK_MESSAGE}</p>' in form


def test_saving_an_edit_with_a_wrong_check_character_warns_on_the_next_page(principal, filing):
    client = logged_in(principal)
    website = filing.websites.get()
    bad = wrong_check_character(make_resident_id(random.Random(6), "44"))
    data = edit_data(
        filing,
        **{
            "websites-0-same_as_subject_principal": "",
            "websites-0-principal-name": "王网站",
            "websites-0-principal-id_kind": "resident_id",
            "websites-0-principal-id_number": bad,
            "websites-0-principal-mobile": "13912345678",
            "websites-0-principal-emergency_phone": "13712345678",
        },
    )
    data.pop("websites-0-same_as_subject_principal")

    response = client.post(reverse("filings:edit", args=[filing.pk]), data, follow=True)

    assert response.status_code == 200
    assert Person.objects.filter(id_number=bad).exists()
    assert f"网站“{website.name}”的负责人的身份证号码:{CHECK_MESSAGE}" in response.content.decode()


def test_a_correct_number_brings_no_warning(principal):
    client = logged_in(principal)
    response = client.post(
        reverse("filings:create") + "?province=44&filing_type=first", entry_data(), follow=True
    )
    assert response.status_code == 200
    assert "校验位" not in response.content.decode()


def test_the_api_saves_the_draft_and_names_the_field_in_warnings(api, principal):
    body = payload()
    body["subject_principal"]["id_number"] = wrong_check_character(body["subject_principal"]["id_number"])

    response = post_json(api(principal), LIST, body)

    assert response.status_code == 201, response.json()
    assert response.json()["warnings"] == {"subject_principal.id_number": [CHECK_MESSAGE]}
    again = api(principal).get(f"{LIST}{response.json()['id']}/")
    assert again.json()["warnings"] == {"subject_principal.id_number": [CHECK_MESSAGE]}


def test_the_api_has_no_warnings_for_a_correct_filing(api, principal):
    response = post_json(api(principal), LIST, payload())
    assert response.status_code == 201
    assert response.json()["warnings"] == {}
