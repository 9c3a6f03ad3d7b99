"""Page-number pagination with a caller-chosen page size, validated as the schema describes it."""

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

MAX_PAGE = 100_000


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset, request, view=None):
        # Out-of-range or malformed numbers are a 400, as the schema's minimum and maximum say,
        # rather than silently using the default (page_size) or a 404 (page=0).
        self._check(request, self.page_query_param, 1, MAX_PAGE)
        self._check(request, self.page_size_query_param, 1, self.max_page_size)
        return super().paginate_queryset(queryset, request, view)

    @staticmethod
    def _check(request, name: str, low: int, high: int) -> None:
        value = request.query_params.get(name)
        if value is None:
            return
        if not value.isascii() or not value.isdigit() or not low <= int(value) <= high:
            raise ValidationError(
                {name: [_("请填写 %(low)s 到 %(high)s 之间的整数。") % {"low": low, "high": high}]}
            )

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        bounds = {self.page_query_param: MAX_PAGE, self.page_size_query_param: self.max_page_size}
        for parameter in parameters:
            parameter["schema"].update(minimum=1, maximum=bounds[parameter["name"]])
        return parameters
