"""Request parsers: JSON whose nesting is bounded, so any malformed body is a 400 that says where."""

import json

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

# No input of the API nests deeper than a handful of levels (filing > website > domain > field).
MAX_DEPTH = 32


def _too_deep(data, limit: int) -> bool:
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > limit:
                return True
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children)
    return False


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except ParseError as error:
            # DRF's own message is English whatever the reader's language ("JSON parse error - ...").
            raise ParseError(_not_json(error.__context__)) from error
        except RecursionError as error:
            # The standard decoder gives up on about a thousand nested brackets with RecursionError.
            raise ParseError(_("JSON 嵌套层数过多。")) from error
        if _too_deep(data, MAX_DEPTH):
            raise ParseError(_("JSON 嵌套层数过多。"))
        return data


def _not_json(error: BaseException | None) -> str:
    if isinstance(error, json.JSONDecodeError):
        return _("请求内容不是有效的 JSON(第 %(line)s 行第 %(column)s 列附近)。") % {
            "line": error.lineno,
            "column": error.colno,
        }
    return _("请求内容不是有效的 JSON。")
