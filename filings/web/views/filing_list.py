"""The principal's list of filings (我的备案): progress, next deadline, unread alerts and the next step."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.roles import Perm
from filings.models import Province
from filings.reads import keyset, search, selectors
from filings.web.forms.filters import FilingFilterForm
from filings.web.views import display, filing_cards

PAGE_SIZE = 20


@login_required
@require_GET
def filing_list(request):
    """My filings: progress, next deadline, unread alerts and the next step, filtered and paginated."""
    # Codes and names only: model instances cost twice as much Python as the statement.
    provinces = list(Province.objects.values_list("code", "name"))
    form = FilingFilterForm(request.GET or None, provinces=provinces)
    filters = form.cleaned_data if form.is_valid() else {}
    narrowed = {
        "state": filters.get("state") or None,
        "province": filters.get("province") or None,
        "query": (filters.get("q") or "").strip() or None,
        "domain": (filters.get("domain") or "").strip() or None,
        "filing_type": filters.get("filing_type") or None,
    }
    if filters.get("overdue"):
        # Most overdue first, each filing at its earliest open deadline.
        filings = selectors.overdue_deadlines_of(request.user, **narrowed)
        page = selectors.overdue_filings_page(
            request.user,
            filings,
            round_transitions=display.ROUND_TRANSITIONS,
            after=filters.get("after"),
            size=PAGE_SIZE,
        )
        walked, counted = (), filings.values("pk")
    else:
        # A common text walks the list until a page is full; a rare one, or a domain, is sorted
        # from what its index finds (search.reading asks the database: once per page).
        how = None
        if narrowed["query"]:
            # A customer's list, or one a filter narrows, may hold few of a rarer text's matches.
            within = any(value for name, value in narrowed.items() if name != "query")
            within = within or not request.user.has_perm(Perm.VIEW_ALL)
            how = search.reading(narrowed["query"], page_size=PAGE_SIZE, narrowed=within)
        sorted_found = bool(how and how.sorts_page)
        filings = selectors.filing_cards(
            request.user,
            round_transitions=display.ROUND_TRANSITIONS,
            query_sorted_found=sorted_found,
            **narrowed,
        )
        page = keyset.page_after(
            filings,
            order=keyset.NEWEST_FIRST,
            after=filters.get("after"),
            size=PAGE_SIZE,
            sort_found=sorted_found or bool(narrowed["domain"]),
        )
        # A common text counts along the list's walk, a rarer one through its index.
        walked = keyset.NEWEST_FIRST if how and how.walks_count and not narrowed["domain"] else ()
        counted = (
            search.for_count(filings.values("pk"), narrowed["query"], how) if how else filings.values("pk")
        )
    rows = filing_cards.card_rows(
        page.rows,
        user=request.user,
        unread_alerts=selectors.unread_alert_counts(request.user, [f.pk for f in page.rows]),
        now=timezone.now(),
    )
    query = request.GET.copy()
    query.pop("after", None)
    # A search of a common word (科技) finds its rows far apart: counting the first thousand would
    # cost more than the page, so it says "more than 100". A large customer's overdue filings lie
    # far apart among its filings and among everyone's deadlines alike: that list is not counted
    # beyond its page.
    if filters.get("overdue"):
        count_cap = None
    elif filters.get("q") or filters.get("domain"):
        count_cap = keyset.SPARSE_COUNT_CAP
    else:
        count_cap = keyset.COUNT_CAP
    return render(
        request,
        "filings/filing_list.html",
        {
            "form": form,
            "rows": rows,
            "page": page,
            # Counted without what the cards show (the count would compute it for each row).
            "total": keyset.list_size(counted, page, cap=count_cap, order=walked),
            "count_cap": count_cap,
            "query": query.urlencode(),
            "can_create": request.user.has_perm(Perm.WORK_ON_OWN),
            "most_overdue_first": bool(filters.get("overdue")),
        },
        status=200 if form.is_valid() or not form.is_bound else 400,
    )
