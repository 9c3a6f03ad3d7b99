"""After publication: the compliance view of open rectifications, and reviewers' call records."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.roles import Perm
from filings.exceptions import BeianError
from filings.models import Deadline, Province
from filings.models.contacts import CALL_OUTCOMES
from filings.models.deadlines import RECTIFICATION_KINDS
from filings.reads import compliance, exports, keyset, selectors
from filings.services import contacts
from filings.web.forms.base import RefusesControlCharacters

view_all_required = permission_required(Perm.VIEW_ALL, raise_exception=True)
reviewer_required = permission_required(Perm.REVIEW, raise_exception=True)
KIND_CHOICES = [(k, Deadline.Kind(k).label) for k in RECTIFICATION_KINDS]


class RectificationFilter(forms.Form):
    province = forms.ModelChoiceField(
        queryset=Province.objects.all(), required=False, to_field_name="code", label=gettext_lazy("省份")
    )
    kind = forms.ChoiceField(required=False, choices=[("", "")] + KIND_CHOICES, label=gettext_lazy("类型"))
    after = forms.CharField(required=False, max_length=200)
    format = forms.ChoiceField(required=False, choices=[("", ""), ("csv", "CSV")])

    def clean_after(self) -> keyset.Position | None:
        token = self.cleaned_data["after"]
        if not token:
            return None
        try:
            return keyset.Position.parse(
                token, queryset=Deadline.objects.all(), order=compliance.OLDEST_FIRST
            )
        except ValueError as error:
            raise forms.ValidationError(_("分页位置无效,请从第一页重新打开。")) from error


def rectification_table(*, province_id, kind) -> exports.Table:
    rows = compliance.rectification_rows(province_id=province_id, kind=kind)

    def batches():
        batch = []
        for d in rows:
            batch.append(
                [
                    d.filing_id,
                    d.filing.subject.name,
                    d.filing.icp_number,
                    _(d.province.name),
                    str(Deadline.Kind(d.kind).label),
                    timezone.localtime(d.starts_at).strftime("%Y-%m-%d %H:%M"),
                    timezone.localtime(d.due_at).strftime("%Y-%m-%d %H:%M"),
                ]
            )
            if len(batch) == 500:
                yield batch
                batch = []
        if batch:
            yield batch

    header = [_("备案ID"), _("主体名称"), _("备案号"), _("省份"), _("类型"), _("起算时间"), _("截止时间")]
    return exports.Table(
        name="rectifications",
        header=[str(h) for h in header],
        batches=batches(),
        queryset=compliance.open_rectifications(province_id=province_id, kind=kind),
    )


@login_required
@view_all_required
@require_GET
def rectification_list(request):
    params = RectificationFilter(request.GET)
    if not params.is_valid():
        errors = [str(m) for e in params.errors.values() for m in e]
        return render(request, "dashboard/error.html", {"errors": errors}, status=400)
    province = params.cleaned_data["province"]
    kind = params.cleaned_data["kind"] or None
    province_id = province.pk if province else None
    if params.cleaned_data["format"] == "csv":
        return exports.csv_response(rectification_table(province_id=province_id, kind=kind))
    page = compliance.rectification_page(
        province_id=province_id, kind=kind, after=params.cleaned_data["after"]
    )
    query = request.GET.copy()
    query.pop("after", None)
    query.pop("format", None)
    return render(
        request,
        "compliance/rectifications.html",
        {
            "page": page,
            "today": timezone.localdate(),
            "provinces": Province.objects.order_by("code"),
            "kinds": KIND_CHOICES,
            "province": province,
            "kind": kind,
            "query": query.urlencode(),
            # A manager may read every filing but not open the pre-review page, where reviewers record calls.
            "filing_view": "filings:review-filing"
            if request.user.has_perm(Perm.REVIEW)
            else "filings:detail",
        },
    )


class CallForm(RefusesControlCharacters, forms.Form):
    # The page's one menu names both ("person id|number"); the API-like pair is accepted too.
    contact = forms.CharField(required=False, max_length=40, label=gettext_lazy("负责人与号码"))
    person = forms.IntegerField(required=False, label=gettext_lazy("负责人"))
    number = forms.CharField(required=False, max_length=20, label=gettext_lazy("拨打号码"))
    outcome = forms.ChoiceField(choices=CALL_OUTCOMES, label=gettext_lazy("结果"))
    called_at = forms.DateTimeField(required=False, label=gettext_lazy("拨打时间"))

    def clean(self):
        data = super().clean()
        person, _sep, number = (data.get("contact") or "").partition("|")
        if person:
            if not person.isdigit() or not number:
                raise forms.ValidationError(_("请从列表中选择负责人与号码。"))
            data["person"], data["number"] = int(person), number
        if not data.get("person") or not data.get("number"):
            raise forms.ValidationError(_("请从列表中选择负责人与号码。"))
        return data


@login_required
@reviewer_required
@require_POST
def record_call(request, filing_id: int):
    filing = selectors.filing_detail(request.user, filing_id)
    form = CallForm(request.POST)
    if not form.is_valid():
        errors = [str(m) for e in form.errors.values() for m in e]
        return render(request, "review/call_refused.html", {"errors": errors, "filing": filing}, status=400)
    data = form.cleaned_data
    try:
        contacts.record_call_attempt(
            filing,
            person_id=data["person"],
            number=data["number"],
            outcome=data["outcome"],
            called_at=data["called_at"],
            by=request.user,
        )
    except BeianError as error:
        return render(
            request,
            "review/call_refused.html",
            {"errors": [str(error.message)], "filing": filing},
            status=error.status_code,
        )
    messages.success(request, _("已记录电话核实。"))
    return redirect("filings:review-filing", filing_id=filing_id)


@login_required
@require_POST
def confirm_contacts(request, filing_id: int):
    filing = selectors.filing_detail(request.user, filing_id)
    try:
        contacts.confirm_contact_numbers(filing, by=request.user)
    except BeianError as error:
        return render(
            request, "dashboard/error.html", {"errors": [str(error.message)]}, status=error.status_code
        )
    messages.success(request, _("已确认联系电话。"))
    return redirect("filings:detail", filing_id=filing_id)
