"""The search and filters of the filing list, and where its page starts."""

from collections.abc import Iterable

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from config.per_language import name_translator, per_language
from filings.kinds.states import State
from filings.models import Deadline, Filing
from filings.reads import keyset, search
from filings.web.forms.base import ListSelect, PlainCheckboxInput, PlainTextInput, RefusesControlCharacters


@per_language
def _fixed_choices() -> dict[str, list[tuple[str, str]]]:
    """Return the type and stage filters' options, translated: every list page prints them."""
    return {
        "filing_type": [
            ("", gettext("全部类型")),
            *((value, str(label)) for value, label in Filing.Type.choices),
        ],
        "state": [("", gettext("全部阶段")), *((value, str(label)) for value, label in State.choices)],
    }


class FilingFilterForm(RefusesControlCharacters, forms.Form):
    q = forms.CharField(
        label=_("名称、证件号或备案号"),
        required=False,
        min_length=search.MIN_QUERY_LENGTH,
        max_length=100,
        widget=PlainTextInput,
        error_messages={"min_length": _("请至少输入 %(limit_value)d 个字符再搜索。")},
    )
    filing_type = forms.ChoiceField(
        label=_("备案类型"),
        required=False,
        widget=ListSelect,
    )
    domain = forms.CharField(
        label=_("域名"),
        required=False,
        min_length=search.MIN_QUERY_LENGTH,
        max_length=253,
        widget=PlainTextInput,
        error_messages={"min_length": _("请至少输入 %(limit_value)d 个字符再搜索。")},
    )
    state = forms.ChoiceField(label=_("阶段"), required=False, widget=ListSelect)
    province = forms.ChoiceField(label=_("省份"), required=False, widget=ListSelect)
    overdue = forms.BooleanField(label=_("只看已超期"), required=False, widget=PlainCheckboxInput)
    # Where the page starts (filings/reads/keyset.py); the pager's links carry it.
    after = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)

    def __init__(self, *args, provinces: Iterable[tuple[str, str]] = (), **kwargs):
        """`provinces`: the (code, name) of each province the filter offers, in order."""
        super().__init__(*args, **kwargs)
        for name, choices in _fixed_choices().items():
            self.fields[name].choices = choices
        translated = name_translator()
        self.fields["province"].choices = [("", gettext("全部省份"))] + [
            (code, translated(name)) for code, name in provinces
        ]

    def clean(self) -> dict:
        data = super().clean()
        token = data.get("after")
        if not token:
            data["after"] = None
            return data
        # The overdue list is read in the order of its deadlines (filings/reads/selectors.py).
        queryset, order = (
            (Deadline.objects.all(), keyset.SOONEST_DUE)
            if data.get("overdue")
            else (Filing.objects.all(), keyset.NEWEST_FIRST)
        )
        try:
            data["after"] = keyset.Position.parse(token, queryset=queryset, order=order)
        except ValueError:
            self.add_error("after", ValidationError(_("分页位置无效,请从第一页重新浏览。"), code="invalid"))
        return data
