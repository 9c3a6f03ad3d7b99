"""API pagination: page numbers with a caller-chosen size, and positions for the filing list."""

from django.utils.translation import gettext_lazy as _
from rest_framework.pagination import CursorPagination, PageNumberPagination


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


class NewestFirstPagination(CursorPagination):
    """Newest first, a page at a time from the position in `cursor` (the `next` link): page 500
    costs what page 1 costs, and no page counts the whole list."""

    ordering = ("-updated_at", "-id")
    page_size_query_param = "page_size"
    max_page_size = 200
    invalid_cursor_message = _("分页位置无效,请从第一页重新读取。")
