"""The reviewer console: work queues by stage, a filing's pre-review page and the reviewer's actions."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.roles import Perm
from filings.exceptions import BeianError, InvalidInput
from filings.formats.validators import psb_example
from filings.jobs import footer_checks
from filings.kinds.states import State
from filings.models import Deadline, ExportJob, FooterCheck, RejectionReason, Transition, wording
from filings.reads import compliance, exports, keyset, packages, queues, selectors
from filings.reads.estimates import PublicationEstimator
from filings.reads.risk import rejection_risk
from filings.rules import change_diff, deadlines, numbering
from filings.rules import durations as duration_rules
from filings.rules.checks import run_submission_checks
from filings.rules.fields import field_choices, field_label
from filings.services import dispatch, public_security, transitions
from filings.web.forms.base import refuse_control_characters
from filings.web.views import display, queue_rows, review_rows
from filings.web.views import exports as export_views

reviewer_required = permission_required(Perm.REVIEW, raise_exception=True)


class QueueFilter(forms.Form):
    province = forms.CharField(required=False, max_length=2)
    mine = forms.BooleanField(required=False)
    # Where the page starts (filings/reads/keyset.py); the pager's links carry it.
    after = forms.CharField(required=False, max_length=200)
    format = forms.ChoiceField(required=False, choices=[("", ""), ("csv", "CSV"), ("xlsx", "Excel")])

    def clean_after(self) -> keyset.Position | None:
        token = self.cleaned_data["after"]
        if not token:
            return None
        try:
            return keyset.Position.parse(token, queryset=Deadline.objects.all(), order=keyset.SOONEST_DUE)
        except ValueError:
            raise forms.ValidationError(_("分页位置无效,请从第一页重新浏览。")) from None


class ReturnForm(forms.Form):
    codes = forms.MultipleChoiceField(required=False, label=gettext_lazy("常见原因"))
    field = forms.ChoiceField(required=False, label=gettext_lazy("字段"))
    reason = forms.CharField(required=False, max_length=500, label=gettext_lazy("其他原因"))
    suggested_fix = forms.CharField(required=False, max_length=500, label=gettext_lazy("修改建议"))
    comment = forms.CharField(required=False, max_length=2000, label=gettext_lazy("说明"))

    def __init__(self, *args, catalogue: list[RejectionReason], **kwargs):
        super().__init__(*args, **kwargs)
        refuse_control_characters(self.fields, multiline=("reason", "suggested_fix", "comment"))
        self.catalogue = {r.code: r for r in catalogue}
        self.fields["codes"].choices = [(r.code, r.reason) for r in catalogue]
        self.fields["field"].choices = [("", _("不指定字段")), *field_choices()]

    def reasons(self) -> list[dict]:
        chosen = [
            {
                "field": r.field,
                **wording.reason_part("reason", r.reason_words),
                **wording.reason_part("suggested_fix", r.suggested_fix_words),
                "code": r.code,
            }
            for code in self.cleaned_data["codes"]
            if (r := self.catalogue.get(code))
        ]
        if self.cleaned_data["reason"].strip():
            chosen.append(
                {
                    "field": self.cleaned_data["field"],
                    "reason": self.cleaned_data["reason"],
                    "suggested_fix": self.cleaned_data["suggested_fix"],
                    "code": "",
                }
            )
        return chosen


def _form_error(form: forms.Form) -> InvalidInput:
    messages_ = [str(m) for errors in form.errors.values() for m in errors]
    return InvalidInput(_("填写有误:%(m)s") % {"m": ";".join(messages_)}, details=form.errors.get_json_data())


@login_required
@reviewer_required
@require_GET
def queue_index(request):
    return redirect("filings:review-queue", queue="provider_review")


@login_required
@reviewer_required
@require_GET
def queue(request, queue: str):
    chosen = queues.QUEUES.get(queue)
    if chosen is None:
        raise Http404
    params = QueueFilter(request.GET)
    if not params.is_valid():
        return render(request, "review/queue.html", {"error": _form_error(params)}, status=400)
    chosen_filters = params.cleaned_data
    filters = {
        "user": request.user,
        "mine": chosen_filters["mine"],
        "province_code": chosen_filters["province"] or None,
    }
    if chosen_filters["format"] == "csv":
        rows = queues.queue_deadlines(chosen, **filters)
        return exports.csv_response(exports.deadline_table(rows, name=f"queue-{chosen.slug}"))
    if chosen_filters["format"] == "xlsx":
        export_filters = {
            "queue": chosen.slug,
            "province": chosen_filters["province"],
            "mine": chosen_filters["mine"],
        }
        return export_views.offer(
            request, source=ExportJob.Source.QUEUE, filters=export_filters, title=chosen.label
        )
    page = queues.queue_page(chosen, after=chosen_filters["after"], values=queues.ROW_VALUES, **filters)
    now = timezone.now()
    today = timezone.localdate()
    # One list of provinces for the filter, the rows and the estimates.
    estimator = PublicationEstimator.for_every_province()
    counts = queues.queue_sizes(cap=queues.TAB_COUNT_CAP, overdue_in=chosen, now=now)
    rows = queue_rows.queue_rows(page.rows, estimator=estimator, user=request.user, now=now, today=today)
    query = request.GET.copy()
    query.pop("after", None)
    query = query.urlencode()
    return render(
        request,
        "review/queue.html",
        {
            "queue": chosen,
            "tabs": queue_rows.queue_tabs(counts, current=chosen.slug, cap=queues.TAB_COUNT_CAP),
            "province_options": queue_rows.province_options(
                estimator.provinces.values(), chosen=chosen_filters["province"]
            ),
            "mine": chosen_filters["mine"],
            "rows": rows,
            "page": page,
            # A long backlog is shown as "more than 1,000": counting every passed deadline of a
            # large queue would cost more than the rest of the page.
            "overdue": counts["overdue"],
            "overdue_cap": keyset.COUNT_CAP,
            "query": query,
        },
    )


def _detail_context(request, filing_id: int) -> dict[str, Any]:
    filing = selectors.filing_page(request.user, filing_id, with_users=True, with_packages=True)
    durations = duration_rules.rules()  # for the catalogue's texts and the checks alike
    catalogue = selectors.rejection_catalogue(durations)
    checklist = None
    if filing.state in (State.ENTRY, State.PROVIDER_REVIEW):
        # filing_page holds all the checks read
        checklist = run_submission_checks(filing, durations=durations)
    latest: dict[tuple[str, str], Any] = {}
    for material in filing.materials.all():
        latest.setdefault((material.kind, material.slot), material)
    events = list(filing.events.all())
    transitions_now = selectors.available_transitions(filing, request.user)
    apps, websites = list(filing.apps.all()), list(filing.websites.all())
    # The numbers the approval form proposes (one query for an earlier number of the subject): read
    # only when the form is shown.
    subject_number = ""
    website_defaults: dict[int, str] = {}
    app_defaults: dict[int, str] = {}
    if Transition.APPROVE in transitions_now:
        subject_number = filing.icp_number or numbering.published_subject_number(filing)
        if subject_number:
            website_defaults, app_defaults = numbering.default_numbers(filing, websites, apps, subject_number)
    return {
        **compliance.filing_compliance(
            filing, today=timezone.localdate(), for_reviewer=request.user.is_reviewer
        ),
        "filing": filing,
        "subject_number": subject_number,
        "psb_example": psb_example(filing.province.psb_abbreviation, filing.province.code),
        "face_check": selectors.current_face_check(filing),
        "changed_since_return": display.changes_since_return(events) if filing.state != State.ENTRY else [],
        "can_check_footer": bool(filing.icp_number)
        and not filing.kind.made_of_apps
        and deadlines.keeps_something_online(filing),
        "change_rows": change_diff.open_change_rows(filing),
        "app_numbers": [
            (a, request.POST.get(f"app_{a.pk}") or a.icp_number or app_defaults.get(a.pk, "")) for a in apps
        ],
        "checklist": checklist,
        "checklist_lines": review_rows.checklist_lines(checklist) if checklist is not None else "",
        "package_panel": packages.package_panel(request.user, filing),
        "risk": rejection_risk(filing, checklist) if checklist is not None else None,
        "materials": list(latest.values()),
        "reason_groups": review_rows.reason_groups_html(
            review_rows.catalogue_by_section(catalogue, filing.kind.return_sections)
        ),
        "field_options": review_rows.field_options(filing.kind.return_sections),
        "transitions": transitions_now,
        "history_lines": review_rows.history_lines(
            [(display.event_label(event), event) for event in reversed(events)]
        ),
        "open_deadlines": [d for d in filing.deadlines.all() if d.closed_at is None],
        "verifiers": selectors.current_sms_verifiers(filing),
        # Footers are checked only once a filing has its ICP number.
        "footer_checks": list(
            FooterCheck.objects.filter(filing=filing)
            .select_related("website")
            .order_by("-checked_at", "-id")[:10]
        )
        if filing.icp_number
        else [],
        "expected": PublicationEstimator(provinces=[filing.province]).expect(filing),
        "website_numbers": [
            (
                w,
                request.POST.get(f"website_{w.pk}") or w.icp_number or website_defaults.get(w.pk, ""),
            )
            for w in websites
        ],
        "form": request.POST if request.method == "POST" else {},
    }


@login_required
@reviewer_required
@require_GET
def filing(request, filing_id: int):
    return render(request, "review/filing.html", _detail_context(request, filing_id))


def _act(request, filing_id: int, action: Callable[[Any], Any], done: str):
    """Run one reviewer action; refusals re-render the page with the message and a 4xx."""
    target = selectors.filing_detail(request.user, filing_id)
    try:
        action(target)
    except BeianError as error:
        context = _detail_context(request, filing_id)
        context["error"] = error
        context["error_lines"] = _error_lines(error)
        return render(request, "review/filing.html", context, status=error.status_code)
    if done:  # an action that reports its own outcome passes ""
        messages.success(request, done)
    return redirect("filings:review-filing", filing_id=filing_id)


@login_required
@reviewer_required
@require_POST
def claim(request, filing_id: int):
    return _act(
        request, filing_id, lambda f: transitions.claim_filing(f, by=request.user), _("已认领该备案。")
    )


@login_required
@reviewer_required
@require_POST
def pass_review(request, filing_id: int):
    return _text_action(
        request, filing_id, "comment", transitions.pass_review, _("初审通过,已向核验人发送短信。")
    )


@login_required
@reviewer_required
@require_POST
def finish_access(request, filing_id: int):
    return _text_action(request, filing_id, "comment", dispatch.approve, _("取消接入已在服务商处办结。"))


@login_required
@reviewer_required
@require_POST
def return_filing(request, filing_id: int):
    return _reasons_action(request, filing_id, transitions.return_filing, _("已退回服务负责人修改。"))


@login_required
@reviewer_required
@require_POST
def reject(request, filing_id: int):
    return _reasons_action(request, filing_id, transitions.reject_filing, _("已记录管局退回。"))


# How much of each one-line input a reviewer action passes on.
TEXT_LIMITS = {"comment": 2000, "psb_number": 40}


def _text_action(request, filing_id: int, name: str, service: Callable[..., Any], done: str):
    """Run a service that takes the actor and one text input of the same name from the form."""
    value = request.POST.get(name, "")[: TEXT_LIMITS[name]]
    return _act(request, filing_id, lambda filing: service(filing, by=request.user, **{name: value}), done)


def _reasons_action(request, filing_id: int, service: Callable[..., Any], done: str):
    form = ReturnForm(request.POST, catalogue=selectors.rejection_catalogue())

    def action(filing):
        if not form.is_valid():
            raise _form_error(form)
        service(filing, by=request.user, comment=form.cleaned_data["comment"], reasons=form.reasons())

    return _act(request, filing_id, action, done)


@login_required
@reviewer_required
@require_POST
def approve(request, filing_id: int):
    icp_number = request.POST.get("icp_number", "")[:40]
    numbers = _numbers_by_id(request.POST, "website_")
    app_numbers = _numbers_by_id(request.POST, "app_")

    def action(filing):
        dispatch.approve(
            filing, by=request.user, icp_number=icp_number, website_numbers=numbers, app_numbers=app_numbers
        )
        messages.success(request, str(filing.kind.words.approved_notice))

    return _act(request, filing_id, action, "")


def _numbers_by_id(post, prefix: str) -> dict[int, str]:
    """Return the filled-in numbers of inputs named prefix + an id, by that id."""
    return {
        int(key.removeprefix(prefix)): value.strip()[:40]
        for key, value in post.items()
        if key.startswith(prefix) and key.removeprefix(prefix).isdigit() and value.strip()
    }


@login_required
@reviewer_required
@require_POST
def register_psb(request, filing_id: int):
    return _text_action(
        request, filing_id, "psb_number", transitions.register_public_security, _("已记录公安联网备案号。")
    )


@login_required
@reviewer_required
@require_POST
def correct_psb(request, filing_id: int):
    return _text_action(
        request,
        filing_id,
        "psb_number",
        public_security.correct_public_security_number,
        _("已更正公安联网备案号。"),
    )


@login_required
@reviewer_required
@require_POST
def sms_verified(request, filing_id: int):
    verifier = request.POST.get("verifier", "")
    if not verifier.isdigit():
        return _act(request, filing_id, _raise(InvalidInput(_("请选择核验人。"))), "")
    return _act(
        request,
        filing_id,
        lambda f: transitions.record_sms_verification(f, verifier_id=int(verifier), by=request.user),
        _("已记录短信核验。"),
    )


@login_required
@reviewer_required
@require_POST
def sms_failed(request, filing_id: int):
    return _reasons_action(
        request, filing_id, transitions.fail_sms_verification, _("已记录短信核验失败,备案退回。")
    )


@login_required
@reviewer_required
@require_POST
def footer_check(request, filing_id: int):
    def action(filing):
        checks = footer_checks.run_footer_check(filing, by=request.user)
        failed = [c for c in checks if not c.passed]
        if failed:
            messages.warning(
                request, _("页脚检查未通过:%(n)s 个网站有问题,已提醒服务负责人。") % {"n": len(failed)}
            )
        else:
            messages.success(request, _("页脚检查已完成,全部通过。"))

    return _act(request, filing_id, action, done="")


# What the reviewer's forms call their inputs, for the lines under an error message.
INPUT_LABELS = {
    "icp_number": gettext_lazy("主体备案号"),
    "website_numbers": gettext_lazy("网站备案号"),
    "app_numbers": gettext_lazy("应用备案号"),
    "psb_number": gettext_lazy("公安联网备案号"),
    "reasons": gettext_lazy("退回原因"),
    "codes": gettext_lazy("常见原因"),
    "field": gettext_lazy("字段"),
    "reason": gettext_lazy("其他原因"),
    "suggested_fix": gettext_lazy("修改建议"),
    "comment": gettext_lazy("说明"),
    "verifier": gettext_lazy("核验人"),
    "verifier_id": gettext_lazy("核验人"),
}


def _error_lines(error: BeianError) -> list[str]:
    """Return an error's details as "label:message" lines, leaving out what the message already says."""
    if not isinstance(error.details, dict):
        return []
    lines = []
    for key, values in error.details.items():
        for value in values if isinstance(values, list) else [values]:
            text = str(value.get("message", "") if isinstance(value, dict) else value)
            if not text or text == str(error.message) or text in str(error.message):
                continue
            label = INPUT_LABELS.get(key) or field_label(key)
            lines.append(_("%(field)s:%(reason)s") % {"field": label, "reason": text})
    return lines


def _raise(error: BeianError) -> Callable[[Any], None]:
    def action(filing):
        raise error

    return action
