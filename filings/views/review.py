"""The reviewer console: work queues by stage, a filing's pre-review page and the reviewer's actions."""

from collections.abc import Callable
from html import escape as _escape
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.roles import Perm
from filings import exports, footer_checks, fragments, links, queues, selectors, services, stats
from filings.checks import load_filing_for_checks, run_submission_checks
from filings.exceptions import BeianError, InvalidInput
from filings.forms import refuse_control_characters
from filings.models import FooterCheck, RejectionReason
from filings.states import State
from filings.stats import PublicationEstimator
from filings.views import display

reviewer_required = permission_required(Perm.REVIEW, raise_exception=True)


class QueueFilter(forms.Form):
    province = forms.CharField(required=False, max_length=2)
    mine = forms.BooleanField(required=False)
    page = forms.IntegerField(required=False, min_value=1, max_value=10_000)
    format = forms.ChoiceField(required=False, choices=[("", ""), ("csv", "CSV"), ("xlsx", "Excel")])


# What QueueFilter cleans an empty query string to (tests/test_queues.py keeps them equal).
QUEUE_DEFAULTS = {"province": "", "mine": False, "page": None, "format": ""}


class ReturnForm(forms.Form):
    codes = forms.MultipleChoiceField(required=False, label=gettext_lazy("常见原因"))
    field = forms.CharField(required=False, max_length=100, label=gettext_lazy("字段"))
    reason = forms.CharField(required=False, max_length=500, label=gettext_lazy("其他原因"))
    suggested_fix = forms.CharField(required=False, max_length=500, label=gettext_lazy("修改建议"))
    comment = forms.CharField(required=False, max_length=2000, label=gettext_lazy("说明"))

    def __init__(self, *args, catalogue: list[RejectionReason], **kwargs):
        super().__init__(*args, **kwargs)
        refuse_control_characters(self.fields, multiline=("reason", "suggested_fix", "comment"))
        self.catalogue = {r.code: r for r in catalogue}
        self.fields["codes"].choices = [(r.code, r.reason) for r in catalogue]

    def reasons(self) -> list[dict]:
        chosen = [
            {"field": r.field, "reason": r.reason, "suggested_fix": r.suggested_fix, "code": r.code}
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
    if request.GET:
        params = QueueFilter(request.GET)
        if not params.is_valid():
            return render(request, "review/queue.html", {"error": _form_error(params)}, status=400)
        chosen_filters = params.cleaned_data
    else:
        chosen_filters = QUEUE_DEFAULTS  # the tabs' own links: nothing to validate
    filters = {
        "user": request.user,
        "mine": chosen_filters["mine"],
        "province_code": chosen_filters["province"] or None,
    }
    export = chosen_filters["format"]
    if export:
        rows = queues.queue_deadlines(chosen, **filters)
        return exports.deadline_export(rows, fmt=export, name=f"queue-{chosen.slug}")
    page = queues.queue_value_rows(chosen, page=chosen_filters["page"] or 1, **filters)
    now = timezone.now()
    today = timezone.localdate()
    provinces = queues.province_briefs()
    by_pk = {p.pk: p for p in provinces}
    stamp = stats.refresh_stamp()
    estimator = PublicationEstimator(provinces=provinces, stamp=stamp)
    counts = queue_counts(stamp)
    root = links.fixed_url("filings:review-index")
    marks = queues.urgency_marks()
    local_zone = timezone.get_current_timezone()
    rows = []
    # Plain strings from plain values: a queue page must cost little more than its SQL.
    for row in page.rows:
        province = by_pk[row["filing__province_id"]]
        expected = estimator.expect_for(
            province, row["filing__state"], row["filing__stage_entered_at"], today=today
        )
        urgency = queues.urgency_of(row["kind"], row["due_at"], now=now)
        rows.append(
            {
                "filing_id": row["filing_id"],
                "subject": row["filing__subject__name"],
                "province": province.short_name,
                "reviewer": row["filing__reviewer__display_name"] or row["filing__reviewer__username"] or "—",
                "url": f"{root}{row['filing_id']}/",
                "due": row["due_at"].astimezone(local_zone).strftime("%Y-%m-%d %H:%M"),
                "provisional": row["provisional"],
                "urgency": urgency,
                "mark": marks[urgency],
                "expected": expected.date.isoformat() if expected else "—",
                "basis": expected.basis if expected else "",
                "mine": row["filing__reviewer_id"] == request.user.pk,
            }
        )
    query = request.GET.copy()
    query.pop("page", None)
    query = query.urlencode()
    csrf_token = get_token(request)
    return render(
        request,
        "review/queue.html",
        {
            "queue": chosen,
            # Tabs, filters and table head come out the same for every reviewer until a count or
            # a filter changes: kept fragments (filings/fragments.py).
            "head": fragments.kept(
                "review/_queue_head.html",
                tabs=tuple(
                    (
                        str(q.label),
                        counts.get(q.slug, 0),
                        links.fixed_url("filings:review-queue", queue=q.slug),
                        q.slug == chosen.slug,
                    )
                    for q in queues.QUEUES.values()
                ),
                provinces=tuple((p.code, p.name) for p in provinces),
                chosen_province=chosen_filters["province"],
                mine=chosen_filters["mine"],
                query=query,
            ),
            "table_head": fragments.kept("review/_queue_table_head.html"),
            "rows": rows,
            "rows_html": _queue_rows_html(rows, csrf_token=csrf_token),
            # One masked token for the claim buttons and the navigation's forms alike.
            "csrf_token": csrf_token,
            "page": page,
            "overdue": queues.overdue_count(chosen, now=now),
            "query": query,
        },
    )


# A queue page must cost little more than its SQL: its 25 rows are joined here from strings
# (about 1.3 ms less per page than ~450 template nodes). The names and texts in them come from the
# database and are escaped with the standard library's html.escape (the same five characters,
# without Django's lazy-string check); the rest is built here from ids, dates and fixed words.


def _queue_rows_html(rows: list[dict], *, csrf_token: str) -> str:
    provisional, mine, claim = _escape(_("暂定")), _escape(_("我的")), _escape(_("认领"))
    marks = {row["urgency"]: _escape(row["mark"]) for row in rows}  # three words, escaped once
    token = _escape(csrf_token)
    html = []
    for row in rows:
        url, urgency = row["url"], row["urgency"]
        badge = f' <span class="badge warn">{provisional}</span>' if row["provisional"] else ""
        action = (
            mine
            if row["mine"]
            else f'<form method="post" action="{url}claim/" class="inline"><input type="hidden"'
            f' name="csrfmiddlewaretoken" value="{token}"><button type="submit">{claim}</button></form>'
        )
        html.append(
            f'<tr class="{urgency}"><td><a href="{url}">{_escape(row["subject"])}</a></td>'
            f"<td>{_escape(row['province'])}</td><td>{row['due']}{badge}</td>"
            f'<td><span class="mark {urgency}">{marks[urgency]}</span></td>'
            f"<td>{_escape(row['reviewer'])}</td>"
            f'<td>{row["expected"]}<br><small class="muted">{_escape(row["basis"])}</small></td>'
            f"<td>{action}</td></tr>"
        )
    return mark_safe("\n".join(html))  # noqa: S308 - names and texts escaped, the rest built here


def queue_counts(stamp: tuple | None) -> dict[str, int]:
    """Return each queue's size as of the statistics refresh `stamp` names."""
    totals, awaiting_psb = stats.stage_totals(stamp)
    return {
        q.slug: awaiting_psb if q.state == State.PUBLISHED else totals.get(q.state, 0)
        for q in queues.QUEUES.values()
    }


def _detail_context(request, filing_id: int) -> dict[str, Any]:
    filing = selectors.filing_detail(request.user, filing_id)
    catalogue = selectors.rejection_catalogue()
    checklist = None
    if filing.state in (State.ENTRY, State.PROVIDER_REVIEW):
        checklist = run_submission_checks(load_filing_for_checks(filing.pk))
    latest: dict[tuple[str, str], Any] = {}
    for material in filing.materials.all():
        latest.setdefault((material.kind, material.slot), material)
    events = list(filing.events.all())
    return {
        "filing": filing,
        "checklist": checklist,
        "materials": list(latest.values()),
        "catalogue": catalogue,
        "transitions": selectors.available_transitions(filing, request.user),
        "events": [(display.event_label(event), event) for event in reversed(events)],
        "open_deadlines": [d for d in filing.deadlines.all() if d.closed_at is None],
        "verifiers": [v for v in filing.sms_verifiers.all() if v.stage_visit == filing.stage_visit],
        "footer_checks": list(
            FooterCheck.objects.filter(filing=filing)
            .select_related("website")
            .order_by("-checked_at", "-id")[:10]
        ),
        "expected": PublicationEstimator(provinces=[filing.province]).expect(filing),
        "website_numbers": [
            (
                w,
                request.POST.get(f"website_{w.pk}")
                or (f"{filing.icp_number}-{w.position}" if filing.icp_number else ""),
            )
            for w in filing.websites.all()
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
        return render(request, "review/filing.html", context, status=error.status_code)
    messages.success(request, done)
    return redirect("filings:review-filing", filing_id=filing_id)


@login_required
@reviewer_required
@require_POST
def claim(request, filing_id: int):
    return _act(request, filing_id, lambda f: services.claim_filing(f, by=request.user), _("已认领该备案。"))


@login_required
@reviewer_required
@require_POST
def pass_review(request, filing_id: int):
    comment = request.POST.get("comment", "")[:2000]
    return _act(
        request,
        filing_id,
        lambda f: services.pass_review(f, by=request.user, comment=comment),
        _("初审通过,已向核验人发送短信。"),
    )


@login_required
@reviewer_required
@require_POST
def return_filing(request, filing_id: int):
    return _reasons_action(request, filing_id, services.return_filing, _("已退回服务负责人修改。"))


@login_required
@reviewer_required
@require_POST
def reject(request, filing_id: int):
    return _reasons_action(request, filing_id, services.reject_filing, _("已记录管局退回。"))


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
    numbers = {
        int(key.removeprefix("website_")): value.strip()[:40]
        for key, value in request.POST.items()
        if key.startswith("website_") and key.removeprefix("website_").isdigit() and value.strip()
    }
    return _act(
        request,
        filing_id,
        lambda f: services.approve_filing(f, by=request.user, icp_number=icp_number, website_numbers=numbers),
        _("已记录管局审核通过,备案已公示。"),
    )


@login_required
@reviewer_required
@require_POST
def register_psb(request, filing_id: int):
    psb_number = request.POST.get("psb_number", "")[:40]
    return _act(
        request,
        filing_id,
        lambda f: services.register_public_security(f, by=request.user, psb_number=psb_number),
        _("已记录公安联网备案号。"),
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
        lambda f: services.record_sms_verification(f, verifier_id=int(verifier), by=request.user),
        _("已记录短信核验。"),
    )


@login_required
@reviewer_required
@require_POST
def sms_failed(request, filing_id: int):
    return _reasons_action(
        request, filing_id, services.fail_sms_verification, _("已记录短信核验失败,备案退回。")
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

    return _act(request, filing_id, action, _("页脚检查已完成。"))


def _raise(error: BeianError) -> Callable[[Any], None]:
    def action(filing):
        raise error

    return action
