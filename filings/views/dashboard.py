"""The manager dashboard: counts, overdue and at-risk work, durations, outcomes, trends, exports."""

import hashlib

from django import forms
from django.contrib.auth.decorators import login_required, permission_required
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.roles import Perm
from config.cache import current_tokens
from filings import charts, exports, links, page_cache, queues, stats
from filings.models import Deadline, Province
from filings.states import OPEN_STATES, STAGES, State

dashboard_required = permission_required(Perm.DASHBOARD, raise_exception=True)
LIST_PREVIEW = 10
PAGE_SIZE = 50
DEADLINE_LIST_TITLES = {
    "overdue": gettext_lazy("超期"),
    "at-risk": gettext_lazy("临近截止"),
    "provisional": gettext_lazy("暂定截止时间(待官方日历)"),
}


class DashboardFilter(forms.Form):
    period = forms.TypedChoiceField(
        required=False, coerce=int, choices=[(p, p) for p in stats.PERIODS], empty_value=stats.DEFAULT_PERIOD
    )


class ListFilter(forms.Form):
    province = forms.CharField(required=False, max_length=2)
    state = forms.ChoiceField(required=False, choices=[("", "")] + [(s, s) for s in OPEN_STATES])
    page = forms.IntegerField(required=False, min_value=1, max_value=10_000)
    format = forms.ChoiceField(required=False, choices=[("", ""), ("csv", "CSV"), ("xlsx", "Excel")])


def _bad_request(request, form):
    errors = [str(m) for e in form.errors.values() for m in e]
    return render(request, "dashboard/error.html", {"errors": errors}, status=400)


@login_required
@dashboard_required
@require_GET
def dashboard(request):
    params = DashboardFilter(request.GET)
    if not params.is_valid():
        return _bad_request(request, params)
    period = params.cleaned_data["period"] or stats.DEFAULT_PERIOD
    now = timezone.now()
    stamp = stats.refresh_stamp()
    estimator = stats.PublicationEstimator(stamp=stamp, provinces=queues.province_briefs())
    lists = []
    totals = stats.deadline_counts(now=now)
    for slug, title in DEADLINE_LIST_TITLES.items():
        rows = stats.listed(stats.DEADLINE_LISTS[slug](now=now))
        lists.append(
            {
                "slug": slug,
                "title": title,
                "total": totals[slug.replace("-", "_")],
                "rows": deadline_rows(rows[:LIST_PREVIEW], estimator=estimator, now=now),
            }
        )
    return render(
        request,
        "dashboard/dashboard.html",
        {
            "period": period,
            "periods": stats.PERIODS,
            "lists": lists,
            "summary": _summary_sections(period, stamp),
        },
    )


# The summaries change only when the 5-minute task refreshes them, so the sections built from them
# alone (counts, durations, outcomes, charts) are rendered once per refresh, period and language
# and shared by every manager; the deadline lists beside them are read live on every request.
SUMMARY_TIMEOUT = 600


def _summary_sections(period: int, stamp: tuple | None) -> dict[str, str]:
    if stamp is None:
        return _render_summary(period, stamp)
    # Province names are in them: an admin edit replaces the global change token (when the
    # cache is shared; otherwise such an edit shows with the next refresh).
    epoch = current_tokens([page_cache.EVERYTHING])
    key = (
        "dashboard-summary:"
        + hashlib.sha256(repr((stamp, period, get_language(), epoch)).encode()).hexdigest()
    )
    sections = cache.get(key)
    if sections is None:
        sections = _render_summary(period, stamp)
        cache.set(key, sections, SUMMARY_TIMEOUT)
    return sections


def _render_summary(period: int, stamp: tuple | None) -> dict[str, str]:
    provinces = list(Province.objects.all())
    counts = stats.stage_counts(provinces)
    period_stats = stats.period_stats(period, provinces=provinces)
    flows = stats.weekly_flows(12)
    flow_charts = [
        (
            stage,
            charts.grouped_bars(
                title=str(State(stage).label),
                categories=[f"{w['week']:%m-%d}" for w in flows],
                series=[
                    charts.Series(_("进入"), [w["flows"].get(stage, (0, 0))[0] for w in flows], "in"),
                    charts.Series(_("离开"), [w["flows"].get(stage, (0, 0))[1] for w in flows], "out"),
                ],
            ),
        )
        for stage in STAGES[:4]
    ]
    bureau_rows = sorted(
        (ps for ps in period_stats.provinces if ps.durations[State.BUREAU_REVIEW].visits),
        key=lambda ps: -(ps.durations[State.BUREAU_REVIEW].median or 0),
    )
    bureau_chart = charts.horizontal_bars(
        title=_("各省管局审核用时(工作日)"),
        rows=[
            charts.HBar(
                label=_(ps.province.name),
                value=ps.durations[State.BUREAU_REVIEW].median,
                marker=ps.durations[State.BUREAU_REVIEW].p90,
                note=_("%(n)s件") % {"n": ps.durations[State.BUREAU_REVIEW].visits},
            )
            for ps in bureau_rows
        ],
        unit=_("工作日"),
        marker_name="P90",
    )
    context = {
        "period": period,
        "counts": counts,
        "states": list(State),
        "count_totals": [counts.totals.get(state, 0) for state in State.values],
        "count_rows": _count_rows(counts),
        "duration_rows": [_duration_row(_("全国"), period_stats.national)]
        + [_duration_row(_(ps.province.name), ps) for ps in period_stats.provinces],
        "duration_stages": stats.DURATION_STAGES,
        "flow_charts": flow_charts,
        "bureau_chart": bureau_chart,
        "refreshed_at": stamp[1] if stamp else None,
    }
    return {
        "counts": render_to_string("dashboard/_summary_counts.html", context),
        "trends": render_to_string("dashboard/_summary_trends.html", context),
    }


def deadline_rows(deadlines, *, estimator: stats.PublicationEstimator, now) -> list[dict]:
    """Return the rows of a deadline list as plain strings (rendering many rows must stay fast)."""
    root = links.fixed_url("filings:list")
    marks = queues.urgency_marks()
    # get_FOO_display() translates every choice on each call; one lookup table per list instead.
    stage_labels = {value: str(label) for value, label in State.choices}
    kind_labels = {value: str(label) for value, label in Deadline.Kind.choices}
    rows = []
    for deadline in deadlines:
        filing = deadline.filing
        province = estimator.province_of(filing)
        expected = estimator.expect(filing)
        urgency = queues.urgency(deadline, now=now)
        rows.append(
            {
                "url": f"{root}{filing.pk}/",
                "subject": filing.subject.name,
                "province": _(province.short_name),
                "stage": stage_labels.get(filing.state, filing.state),
                "kind": kind_labels.get(deadline.kind, deadline.kind),
                "due": timezone.localtime(deadline.due_at).strftime("%Y-%m-%d %H:%M"),
                "provisional": deadline.provisional,
                "urgency": urgency,
                "mark": marks[urgency],
                "expected": expected.date.isoformat() if expected else "—",
                "basis": expected.basis if expected else "",
            }
        )
    return rows


def _count_rows(counts: stats.StageCounts) -> list:
    link = reverse("filings:dashboard-open")
    return [
        (
            province,
            [
                (n, f"{link}?state={state}&province={province.code}" if n and state in OPEN_STATES else "")
                for state, n in ((s, cells[s]) for s in State.values)
            ],
            counts.awaiting_by_province.get(province.pk, 0),
        )
        for province, cells in counts.rows
    ]


def _duration_text(duration: stats.Duration) -> str:
    if not duration.visits:
        return "—"
    return f"{duration.median} / {duration.p90} ({duration.visits})"


def _percent(share: float | None) -> str:
    return "" if share is None else f"{share * 100:.1f}%"


def _duration_row(name: str, ps: stats.ProvinceStats) -> dict:
    return {
        "name": name,
        "durations": [_duration_text(ps.durations[s]) for s in stats.DURATION_STAGES],
        "returned": _percent(ps.returned_share),
        "rejected": _percent(ps.rejected_share),
        "reasons": ps.top_reasons[:3],
    }


def _province(code: str | None) -> Province | None:
    if not code:
        return None
    province = Province.objects.filter(code=code).first()
    if province is None:
        raise Http404
    return province


@login_required
@dashboard_required
@require_GET
def deadline_list(request, kind: str):
    if kind not in stats.DEADLINE_LISTS:
        raise Http404
    params = ListFilter(request.GET)
    if not params.is_valid():
        return _bad_request(request, params)
    province = _province(params.cleaned_data["province"])
    rows = stats.DEADLINE_LISTS[kind](province=province)
    if params.cleaned_data["format"]:
        return exports.deadline_export(rows, fmt=params.cleaned_data["format"], name=f"deadlines-{kind}")
    page = params.cleaned_data["page"] or 1
    chunk = list(stats.listed(rows)[(page - 1) * PAGE_SIZE : page * PAGE_SIZE + 1])
    now = timezone.now()
    estimator = stats.PublicationEstimator()
    return render(
        request,
        "dashboard/deadlines.html",
        {
            "kind": kind,
            "title": DEADLINE_LIST_TITLES[kind],
            "rows": deadline_rows(chunk[:PAGE_SIZE], estimator=estimator, now=now),
            "page": page,
            "has_next": len(chunk) > PAGE_SIZE,
            "provinces": estimator.provinces.values(),
            "province": province,
            "query": _query_without_page(request),
        },
    )


@login_required
@dashboard_required
@require_GET
def open_filings(request):
    """Every open filing with its expected publication date, filterable by stage and province."""
    params = ListFilter(request.GET)
    if not params.is_valid():
        return _bad_request(request, params)
    province = _province(params.cleaned_data["province"])
    state = params.cleaned_data["state"]
    filings = stats.open_filings(state=state, province=province)
    if params.cleaned_data["format"]:
        return exports.filing_export(filings, fmt=params.cleaned_data["format"], name="open-filings")
    page = params.cleaned_data["page"] or 1
    chunk = list(filings[(page - 1) * PAGE_SIZE : page * PAGE_SIZE + 1])
    estimator = stats.PublicationEstimator()
    return render(
        request,
        "dashboard/open_filings.html",
        {
            "rows": [{"filing": f, "expected": estimator.expect(f)} for f in chunk[:PAGE_SIZE]],
            "page": page,
            "has_next": len(chunk) > PAGE_SIZE,
            "provinces": estimator.provinces.values(),
            "province": province,
            "state": state,
            "open_states": [State(s) for s in OPEN_STATES],
            "query": _query_without_page(request),
        },
    )


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return query.urlencode()
