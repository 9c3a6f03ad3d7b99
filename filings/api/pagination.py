"""API pagination: page numbers with a caller-chosen size, and positions for the filing list; sizes
and numbers are validated as the schema describes them."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination

MAX_PAGE = 100_000


def check_bounded_integer(request, name: str, low: int, high: int) -> None:
    """Refuse a query parameter that is not a whole number from low to high with a 400."""
    value = request.query_params.get(name)
    if value is None:
        return
    if not value.isascii() or not value.isdigit() or not low <= int(value) <= high:
        raise ValidationError(
            {name: [_("请填写 %(low)s 到 %(high)s 之间的整数。") % {"low": low, "high": high}]}
        )


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset, request, view=None):
        # Out-of-range or malformed numbers are a 400, as the schema's minimum and maximum say,
        # rather than silently using the default (page_size) or a 404 (page=0).
        check_bounded_integer(request, self.page_query_param, 1, MAX_PAGE)
        check_bounded_integer(request, self.page_size_query_param, 1, self.max_page_size)
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        bounds = {self.page_query_param: MAX_PAGE, self.page_size_query_param: self.max_page_size}
        for parameter in parameters:
            parameter["schema"].update(minimum=1, maximum=bounds[parameter["name"]])
        return parameters


class NewestFirstPagination(CursorPagination):
    """Newest first, a page at a time from the position in `cursor` (the `next` link): page 500
    costs what page 1 costs, and no page counts the whole list."""

    ordering = ("-updated_at", "-id")
    page_size_query_param = "page_size"
    max_page_size = 200
    invalid_cursor_message = gettext_lazy("分页位置无效,请从第一页重新读取。")

    def paginate_queryset(self, queryset, request, view=None):
        check_bounded_integer(request, self.page_size_query_param, 1, self.max_page_size)
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
            if parameter["name"] == self.cursor_query_param:
                # The `next` link's position, URL-safe Base64; anything else is refused.
                parameter["schema"].update(pattern="^[A-Za-z0-9_=-]*$")
        return parameters


class NewestRaisedPagination(NewestFirstPagination):
    """The alert list in the same way: newest raised first, no count of what may be 300,000 alerts."""

    ordering = ("-raised_at", "-id")
