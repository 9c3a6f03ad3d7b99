"""The manager dashboard: counts, overdue and at-risk work, durations, outcomes, trends, exports."""

import itertools
from collections.abc import Iterable

from django import forms
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.roles import Perm
from filings.jobs import summaries
from filings.kinds.states import OPEN_STATES, STAGES, State
from filings.models import Deadline, ExportJob, Filing, Province
from filings.reads import dashboard as dashboard_stats
from filings.reads import exports, keyset, summary_terms
from filings.reads.estimates import PROVINCE_FIELDS, PublicationEstimator
from filings.web import charts
from filings.web.views import exports as export_views
from filings.web.views import list_rows, queue_rows

dashboard_required = permission_required(Perm.DASHBOARD, raise_exception=True)
LIST_PREVIEW = 10
PAGE_SIZE = 50
DEADLINE_LIST_TITLES = dashboard_stats.DEADLINE_LIST_TITLES


class DashboardFilter(forms.Form):
    period = forms.TypedChoiceField(
        required=False,
        coerce=int,
        choices=[(p, p) for p in summary_terms.PERIODS],
        empty_value=dashboard_stats.DEFAULT_PERIOD,
    )


class ListFilter(forms.Form):
    province = forms.CharField(required=False, max_length=2)
    state = forms.ChoiceField(required=False, choices=[("", "")] + [(s, s) for s in OPEN_STATES])
    filing_type = forms.ChoiceField(required=False, choices=[("", ""), *Filing.Type.choices])
    # Where the page starts (filings/reads/keyset.py); the pager's links carry it.
    after = forms.CharField(required=False, max_length=200)
    format = forms.ChoiceField(required=False, choices=[("", ""), ("csv", "CSV"), ("xlsx", "Excel")])

    def __init__(self, *args, rows, order, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows, self.order = rows, order

    def clean_after(self) -> keyset.Position | None:
        token = self.cleaned_data["after"]
        if not token:
            return None
        try:
            return keyset.Position.parse(token, queryset=self.rows, order=self.order)
        except ValueError:
            raise forms.ValidationError(_("分页位置无效,请从第一页重新浏览。")) from None


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
    period = params.cleaned_data["period"] or dashboard_stats.DEFAULT_PERIOD
    now = timezone.now()
    provinces = _list_provinces()  # one read for the estimates and the summaries
    estimator = PublicationEstimator(provinces=provinces)
    words = list_rows.deadline_words()
    previews = dashboard_stats.deadline_previews(now=now, size=LIST_PREVIEW)
    # The three lists' rows are written in one call: the words and labels they share, once.
    rows = iter(
        list_rows.deadline_rows(
            [row for slug in DEADLINE_LIST_TITLES for row in previews[slug].rows],
            words=words,
            estimator=estimator,
            now=now,
        )
    )
    lists = [
        {
            "slug": slug,
            "title": title,
            "url": reverse("filings:dashboard-deadlines", kwargs={"kind": slug}),
            "total": previews[slug].total,
            "counted_at": previews[slug].counted_at,
            "rows": list(itertools.islice(rows, len(previews[slug].rows))),
        }
        for slug, title in DEADLINE_LIST_TITLES.items()
    ]
    return render(
        request,
        "dashboard/dashboard.html",
        {
            "period": period,
            "periods": summary_terms.PERIODS,
            "lists": lists,
            "words": words,
            "summary": _summary_sections(period, provinces),
        },
    )


def _summary_sections(period: int, provinces: list[Province]) -> dict[str, str]:
    counts = dashboard_stats.stage_counts(provinces)
    # Three tables name every province: each name is translated once.
    names = {province.pk: _(province.name) for province in provinces}
    period_stats = dashboard_stats.period_stats(period, provinces=provinces)
    flows = dashboard_stats.weekly_flows(12)
    last_refresh = summaries.last_refresh()
    flow_charts = [
        (
            State(stage).label,
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
                label=names[ps.province.pk],
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
        # The tables' heads, totals and rows and the charts' figures are written here, as the rows'
        # cells were already: the template engine's loops over them cost more than their values.
        "state_heads": _cells('<th scope="col" class="num">{}</th>', ((s.label,) for s in State)),
        "count_totals": _cells('<td class="num">{}</td>', ((counts.totals.get(s, 0),) for s in State.values)),
        "count_rows": _count_rows(counts, names),
        "duration_heads": _cells(
            '<th class="num">{}</th>', ((s.label,) for s in summary_terms.DURATION_STAGES)
        ),
        "duration_rows": mark_safe(  # noqa: S308 - rows of escaped values
            "".join(
                [_duration_row(_("全国"), period_stats.national)]
                + [_duration_row(names[ps.province.pk], ps) for ps in period_stats.provinces]
            )
        ),
        "flow_charts": _cells("<figure><figcaption>{}</figcaption>{}</figure>", flow_charts),
        "bureau_chart": bureau_chart,
        "refreshed_at": last_refresh.refreshed_at if last_refresh else None,
    }
    return {
        "counts": render_to_string("dashboard/_summary_counts.html", context),
        "trends": render_to_string("dashboard/_summary_trends.html", context),
    }


def _cells(template: str, rows: Iterable[tuple]) -> SafeString:
    """Return the template filled with each row's values, escaped, all joined."""
    return mark_safe(  # noqa: S308 - every value is escaped
        "".join(template.format(*map(conditional_escape, row)) for row in rows)
    )


def _count_rows(counts: dashboard_stats.StageCounts, names: dict[int, str]) -> SafeString:
    """Return the count table's row of each province: its name, the count of each state and those
    awaiting public security. Each cell holds a count and a link made of an enum value and an
    escaped code."""
    link = escape(reverse("filings:dashboard-open"))
    open_states = set(OPEN_STATES)
    rows = []
    for province, cells in counts.rows:
        where = escape(f"&province={province.code}")
        html = "".join(
            f'<td class="num"><a href="{link}?state={state}{where}">{int(n)}</a></td>'
            if n and state in open_states
            else f'<td class="num">{int(n)}</td>'
            for state, n in cells.items()
        )
        awaiting = int(counts.awaiting_by_province.get(province.pk, 0))
        rows.append(
            f'<tr><th scope="row">{conditional_escape(names[province.pk])}</th>{html}'
            f'<td class="num awaiting-psb">{awaiting}</td></tr>'
        )
    return mark_safe("".join(rows))  # noqa: S308 - the names are escaped, the rest are numbers and codes


def _duration_text(duration: dashboard_stats.Duration) -> str:
    if not duration.visits:
        return "—"
    return f"{duration.median} / {duration.p90} ({duration.visits})"


def _percent(share: float | None) -> str:
    return "" if share is None else f"{share * 100:.1f}%"


def _duration_row(name: str, ps: dashboard_stats.ProvinceStats) -> SafeString:
    """Return one row of the duration table as one string (35 rows through the template engine, or
    a format_html per cell, cost more than the statistics they show). Its cells hold counts, shares
    and the escaped name and reasons."""
    durations = "".join(
        f'<td class="num">{_duration_text(ps.durations[s])}</td>' for s in summary_terms.DURATION_STAGES
    )
    reasons = ";".join(f"{conditional_escape(reason)} ({int(n)})" for reason, n in ps.top_reasons[:3])
    return mark_safe(  # noqa: S308 - the name and reasons are escaped, the rest are numbers
        f"<tr><th>{conditional_escape(name)}</th>{durations}\n"
        f'    <td class="num">{_percent(ps.returned_share) or "—"}</td>'
        f'<td class="num">{_percent(ps.rejected_share) or "—"}</td>\n'
        f"    <td>{reasons}</td></tr>"
    )


def _list_provinces() -> list[Province]:
    """Return every province with what a list page's filter, rows and estimates read of it."""
    return list(Province.objects.only("code", "name", *PROVINCE_FIELDS))


def _province(code: str | None, provinces: list[Province]) -> Province | None:
    if not code:
        return None
    province = next((p for p in provinces if p.code == code), None)
    if province is None:
        raise Http404
    return province


def _estimated(province: Province | None, provinces: list[Province]) -> list[Province]:
    """Return the provinces whose rows a list may show: a province's list estimates from its own
    medians and the country's, not from every province's."""
    return [province] if province is not None else provinces


@login_required
@dashboard_required
@require_GET
def deadline_list(request, kind: str):
    if kind not in dashboard_stats.DEADLINE_LISTS:
        raise Http404
    params = ListFilter(request.GET, rows=Deadline.objects.all(), order=keyset.SOONEST_DUE)
    if not params.is_valid():
        return _bad_request(request, params)
    provinces = _list_provinces()
    province = _province(params.cleaned_data["province"], provinces)
    rows = dashboard_stats.DEADLINE_LISTS[kind](province=province)
    if params.cleaned_data["format"] == "csv":
        return exports.csv_response(
            exports.deadline_table(rows, name=f"deadlines-{kind}", provinces=_estimated(province, provinces))
        )
    if params.cleaned_data["format"] == "xlsx":
        export_filters = {"kind": kind, "province": province.code if province else ""}
        return export_views.offer(
            request,
            source=ExportJob.Source.DEADLINES,
            filters=export_filters,
            title=DEADLINE_LIST_TITLES[kind],
        )
    page = keyset.page_after(
        rows.values(*dashboard_stats.DEADLINE_ROW_VALUES),
        order=keyset.SOONEST_DUE,
        after=params.cleaned_data["after"],
        size=PAGE_SIZE,
    )
    now = timezone.now()
    estimator = PublicationEstimator(provinces=_estimated(province, provinces))
    words = list_rows.deadline_words()
    return render(
        request,
        "dashboard/deadlines.html",
        {
            "kind": kind,
            "title": DEADLINE_LIST_TITLES[kind],
            "rows": list_rows.deadline_rows(page.rows, words=words, estimator=estimator, now=now),
            "words": words,
            "page": page,
            "province_options": queue_rows.province_options(
                provinces, chosen=province.code if province else None
            ),
            "province": province,
            "query": _query_without_page(request),
        },
    )


@login_required
@dashboard_required
@require_GET
def open_filings(request):
    """Every open filing with its expected publication date, filterable by stage and province."""
    params = ListFilter(request.GET, rows=Filing.objects.all(), order=dashboard_stats.OPEN_FILING_ORDER)
    if not params.is_valid():
        return _bad_request(request, params)
    provinces = _list_provinces()
    province = _province(params.cleaned_data["province"], provinces)
    state = params.cleaned_data["state"]
    filing_type = params.cleaned_data["filing_type"] or None
    if params.cleaned_data["format"] == "csv":
        filings = dashboard_stats.open_filings(state=state, province=province, filing_type=filing_type)
        return exports.csv_response(exports.filing_table(filings, name="open-filings"))
    if params.cleaned_data["format"] == "xlsx":
        export_filters = {"state": state, "province": province.code if province else ""}
        return export_views.offer(
            request, source=ExportJob.Source.OPEN_FILINGS, filters=export_filters, title=_("进行中的备案")
        )
    page = dashboard_stats.open_filings_page(
        state=state,
        province=province,
        filing_type=filing_type,
        after=params.cleaned_data["after"],
        size=PAGE_SIZE,
        values=dashboard_stats.OPEN_FILING_VALUES,
    )
    estimator = PublicationEstimator(provinces=_estimated(province, provinces))
    return render(
        request,
        "dashboard/open_filings.html",
        {
            "rows": list_rows.open_rows(page.rows, estimator=estimator),
            "page": page,
            "province_options": queue_rows.province_options(
                provinces, chosen=province.code if province else None
            ),
            "province": province,
            "state": state,
            "filing_type": filing_type,
            "filing_types": Filing.Type.choices,
            "open_states": [State(s) for s in OPEN_STATES],
            "query": _query_without_page(request),
        },
    )


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("after", None)
    query.pop("format", None)
    return query.urlencode()
