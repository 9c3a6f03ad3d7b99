"""The list filters' select, written without the widget templates, shows what Django's select shows."""

import re

import pytest
from django import forms

from filings.models import Province
from filings.web.forms.filters import FilingFilterForm

pytestmark = pytest.mark.django_db


def _normalised(html: str) -> str:
    """The select with its own attributes in a fixed order (Django's template keeps their given order)."""
    head, rest = html.split(">", 1)
    name, *attrs = re.findall(r'\s([\w-]+(?:="[^"]*")?)', head)
    return f"<select {name} {' '.join(sorted(attrs))}>{rest}"


@pytest.mark.parametrize(
    "data",
    [None, {"state": "entry", "province": "44", "filing_type": "first"}, {"province": "zz", "state": "<b>"}],
    ids=["unbound", "chosen", "invalid"],
)
def test_the_filters_select_matches_djangos(data):
    provinces = list(Province.objects.values_list("code", "name"))
    form = FilingFilterForm(data, provinces=provinces)
    if data:
        form.is_valid()
    for name in ("filing_type", "state", "province"):
        ours = str(form[name])
        form.fields[name].widget = forms.Select(choices=form.fields[name].choices)
        assert _normalised(ours) == _normalised(str(form[name])), name
    if data and data.get("province") == "44":
        assert '<option value="44" selected>' in str(form["province"])


@pytest.mark.parametrize(
    "widget, value",
    [
        ("PlainTextInput", '<b>"甲&乙"</b>'),
        ("PlainTextInput", None),
        ("PlainCheckboxInput", True),
        ("PlainDateInput", "2026-12-06"),
    ],
)
def test_the_plain_inputs_match_djangos(widget, value):
    from django.utils.translation import gettext_lazy

    from filings.web.forms import base

    plain = getattr(base, widget)
    django_widget = {
        "PlainTextInput": forms.TextInput,
        "PlainCheckboxInput": forms.CheckboxInput,
        "PlainDateInput": forms.DateInput,
    }[widget]
    attrs = {"id": "id_x", "placeholder": gettext_lazy("省份"), "required": True, "data-x": '"<i>'}
    assert plain(attrs=base.DATE_INPUT).render("x", value, attrs=attrs) == django_widget(
        attrs=base.DATE_INPUT
    ).render("x", value, attrs=attrs)
