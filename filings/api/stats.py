"""API of the manager dashboard (/api/v1/stats/…) and the reviewer queues (/api/v1/review/…)."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.roles import Perm
from filings.api import stats_schema as out
from filings.api.queries import query_values
from filings.api.schema import rules_beyond_schema
from filings.jobs import footer_checks, summaries
from filings.kinds.states import OPEN_STATES
from filings.models import Deadline, Filing, Province
from filings.reads import dashboard as dashboard_stats
from filings.reads import keyset, queues, selectors, summary_terms
from filings.reads.estimates import Expectation, PublicationEstimator

PAGE_SIZE = 50


def _has(perm: str) -> type[BasePermission]:
    class HasPerm(BasePermission):
        def has_permission(self, request, view):
            return bool(request.user and request.user.is_authenticated and request.user.has_perm(perm))

    HasPerm.__name__ = f"Has{perm.split('.')[-1].title().replace('_', '')}"
    return HasPerm


IsManager = _has(Perm.DASHBOARD)
IsReviewer = _has(Perm.REVIEW)


# What a page of a list refuses that its schema cannot say.
PAGE_RULES = {
    "after": gettext_lazy("须为上一页答复中的 next"),
    "province": gettext_lazy("须为已知的省份代码(见 /api/v1/provinces/)"),
}


class PageInput(serializers.Serializer):
    # The `next` of the page before (filings/reads/keyset.py).
    after = serializers.CharField(required=False, max_length=200, allow_blank=True)
    province = serializers.CharField(required=False, max_length=2, allow_blank=True)


def _position(params: dict, *, rows, order) -> keyset.Position | None:
    token = params.get("after")
    if not token:
        return None
    try:
        return keyset.Position.parse(token, queryset=rows, order=order)
    except ValueError:
        raise ValidationError({"after": [_("分页位置无效,请从第一页重新读取。")]}) from None


def _page_json(page: keyset.Page, results: list) -> dict:
    return {"next": page.next.token() if page.next else None, "results": results}


def _province(code: str | None) -> Province | None:
    if not code:
        return None
    province = Province.objects.filter(code=code).first()
    if province is None:
        raise ValidationError({"province": [_("未知的省份代码“%(code)s”。") % {"code": code}]})
    return province


def _expectation(expected: Expectation | None) -> dict | None:
    return None if expected is None else {"date": expected.date.isoformat(), "basis": expected.basis}


def _deadline_json(deadline, *, estimator: PublicationEstimator, now) -> dict:
    filing = deadline.filing
    return {
        "filing": {
            "id": filing.pk,
            "subject": filing.subject.name,
            "province": estimator.province_of(filing).code,
            "state": filing.state,
            "reviewer": filing.reviewer_id,
        },
        "kind": deadline.kind,
        "due_at": timezone.localtime(deadline.due_at).isoformat(),
        "provisional": deadline.provisional,
        "urgency": queues.urgency(deadline, now=now) or None,
        "expected_publication": _expectation(estimator.expect(filing)),
    }


def _duration_json(duration: dashboard_stats.Duration) -> dict:
    return {"visits": duration.visits, "median_workdays": duration.median, "p90_workdays": duration.p90}


def _province_stats_json(ps: dashboard_stats.ProvinceStats) -> dict:
    return {
        "province": ps.province.code if ps.province else None,
        "durations": {str(s): _duration_json(d) for s, d in ps.durations.items()},
        "exits": ps.exits,
        "returned_share": ps.returned_share,
        "rejected_share": ps.rejected_share,
        "top_reasons": [{"reason": r, "count": n} for r, n in ps.top_reasons],
    }


class StageCounts(APIView):
    permission_classes = [IsManager]

    @extend_schema(responses={200: out.StageCountsOut})
    def get(self, request):
        counts = dashboard_stats.stage_counts()
        refresh = summaries.last_refresh()
        return Response(
            {
                "refreshed_at": timezone.localtime(refresh.refreshed_at).isoformat() if refresh else None,
                "totals": counts.totals,
                "awaiting_public_security": counts.awaiting_psb,
                "provinces": [{"province": p.code, "name": p.name, "counts": c} for p, c in counts.rows],
            }
        )


class PeriodInput(serializers.Serializer):
    period = serializers.ChoiceField(
        choices=summary_terms.PERIODS, required=False, default=dashboard_stats.DEFAULT_PERIOD
    )


class Durations(APIView):
    permission_classes = [IsManager]

    @extend_schema(
        parameters=[OpenApiParameter("period", int, enum=list(summary_terms.PERIODS))],
        responses={200: out.DurationsOut},
    )
    def get(self, request):
        period = query_values(PeriodInput, request)["period"]
        result = dashboard_stats.period_stats(period)
        return Response(
            {
                "period_days": period,
                "percentile_method": "nearest-rank",
                "national": _province_stats_json(result.national),
                "provinces": [_province_stats_json(ps) for ps in result.provinces],
            }
        )


class WeeksInput(serializers.Serializer):
    weeks = serializers.IntegerField(required=False, min_value=1, max_value=summaries.WEEKS_KEPT, default=12)


class WeeklyFlows(APIView):
    permission_classes = [IsManager]

    @extend_schema(parameters=[WeeksInput], responses={200: out.WeekFlowsOut(many=True)})
    def get(self, request):
        weeks = query_values(WeeksInput, request)["weeks"]
        return Response(
            [
                {
                    "week": w["week"].isoformat(),
                    "stages": {s: {"entered": i, "left": o} for s, (i, o) in w["flows"].items()},
                }
                for w in dashboard_stats.weekly_flows(weeks)
            ]
        )


class DeadlineList(APIView):
    permission_classes = [IsManager]

    @extend_schema(
        parameters=[
            PageInput,
            OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=list(dashboard_stats.DEADLINE_LISTS)),
        ],
        responses={200: out.DeadlinePageOut},
        description=rules_beyond_schema(PAGE_RULES),
    )
    def get(self, request, kind: str):
        if kind not in dashboard_stats.DEADLINE_LISTS:
            raise NotFound(_("没有名为“%(kind)s”的列表。") % {"kind": kind})
        params = query_values(PageInput, request)
        now = timezone.now()
        rows = dashboard_stats.DEADLINE_LISTS[kind](now=now, province=_province(params.get("province")))
        page = keyset.page_after(
            rows,
            order=keyset.SOONEST_DUE,
            after=_position(params, rows=rows, order=keyset.SOONEST_DUE),
            size=PAGE_SIZE,
        )
        estimator = PublicationEstimator()
        return Response(
            _page_json(page, [_deadline_json(d, estimator=estimator, now=now) for d in page.rows])
        )


class ExpectedInput(PageInput):
    state = serializers.ChoiceField(choices=[str(s) for s in OPEN_STATES], required=False)


class ExpectedPublication(APIView):
    permission_classes = [IsManager]

    @extend_schema(
        parameters=[ExpectedInput],
        responses={200: out.ExpectedPageOut},
        description=rules_beyond_schema(PAGE_RULES),
    )
    def get(self, request):
        params = query_values(ExpectedInput, request)
        state = params.get("state")
        after = _position(params, rows=Filing.objects.all(), order=dashboard_stats.OPEN_FILING_ORDER)
        page = dashboard_stats.open_filings_page(
            state=state, province=_province(params.get("province")), after=after, size=PAGE_SIZE
        )
        estimator = PublicationEstimator()
        return Response(
            _page_json(
                page,
                [
                    {
                        "filing": f.pk,
                        "subject": f.subject.name,
                        "province": f.province.code,
                        "state": f.state,
                        "stage_entered_at": timezone.localtime(f.stage_entered_at).isoformat(),
                        "expected_publication": _expectation(estimator.expect(f)),
                    }
                    for f in page.rows
                ],
            )
        )


class QueueInput(PageInput):
    mine = serializers.BooleanField(required=False, default=False)


class ReviewQueue(APIView):
    permission_classes = [IsReviewer]

    @extend_schema(
        parameters=[
            QueueInput,
            OpenApiParameter("queue", str, OpenApiParameter.PATH, enum=list(queues.QUEUES)),
        ],
        responses={200: out.QueuePageOut},
        description=rules_beyond_schema(PAGE_RULES),
    )
    def get(self, request, queue: str):
        chosen = queues.QUEUES.get(queue)
        if chosen is None:
            raise NotFound(_("没有名为“%(name)s”的队列。") % {"name": queue})
        params = query_values(QueueInput, request)
        now = timezone.now()
        page = queues.queue_page(
            chosen,
            after=_position(params, rows=Deadline.objects.all(), order=keyset.SOONEST_DUE),
            user=request.user,
            mine=params["mine"],
            province_code=params.get("province") or None,
        )
        estimator = PublicationEstimator()
        return Response(
            {
                "queue": chosen.slug,
                "overdue": queues.overdue_count(chosen, now=now),
                **_page_json(page, [_deadline_json(d, estimator=estimator, now=now) for d in page.rows]),
            }
        )


class FooterCheckRun(APIView):
    permission_classes = [IsReviewer]

    @extend_schema(request=None, responses={200: out.FooterCheckOut(many=True)})
    def post(self, request, pk: int):
        filing = selectors.filing_detail(request.user, pk)
        checks = footer_checks.run_footer_check(filing, by=request.user)
        return Response(
            [
                {
                    "website": c.website_id,
                    "url": c.url,
                    "status": c.status,
                    "checked_at": timezone.localtime(c.checked_at).isoformat(),
                    "expected_icp": c.expected_icp,
                    "expected_psb": c.expected_psb or None,
                    "icp_found": c.icp_found,
                    "icp_linked": c.icp_linked,
                    "psb_found": c.psb_found,
                    "problems": c.shown_problems,
                }
                for c in checks
            ]
        )
