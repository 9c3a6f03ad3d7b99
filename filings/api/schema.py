"""The OpenAPI schema as the API behaves: every operation lists the errors it can answer with."""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from filings.api.serializers.text import CertificateNumberInput
from filings.formats.validators import format_pattern, refused_characters


class ErrorSerializer(serializers.Serializer):
    """An error: a message (`detail`), a code, and per-field messages (`errors`, or one key per field)."""

    detail = serializers.CharField(required=False)
    code = serializers.CharField(required=False)
    errors = serializers.JSONField(required=False)


ERRORS = {
    "400": _("输入有误:参数或请求内容不合要求"),
    "401": _("未登录或令牌无效、已过期"),
    "403": _("无权执行此操作,或须先完成两步验证"),
    "404": _("对象不存在或无权查看"),
    "409": _("与当前状态冲突(他人已修改、阶段不允许等)"),
    "413": _("请求内容过大"),
    "429": _("请求过于频繁,或登录已暂停"),
}


def rules_beyond_schema(rules: dict[str, str], *, summary: str = ""):
    """Return an operation description naming the rules its schema cannot express (check characters,
    rules across fields, the filing's state), each by the field or error code a refusal names."""
    heading = _("以下规则无法用接口架构表达,违反时答 400,并指明字段或错误代码:")
    items = "".join(f"\n- `{name}`: {{}}" for name in rules)
    if not summary:
        return format_lazy("{}\n" + items, heading, *rules.values())
    return format_lazy("{}\n\n{}\n" + items, summary, heading, *rules.values())


# Text fields whose value is free text (their subclasses, e-mail, URL and the like, have formats).
TEXT_FIELDS = (serializers.CharField, CertificateNumberInput)


def _text_rules(field, schema: dict) -> dict:
    """Return what a text input's schema must add to say what the field accepts: the pattern of its
    format or of its refused characters, and (when blank is refused) at least one visible character."""
    if isinstance(field, serializers.IPAddressField):
        return {"anyOf": [{"format": "ipv4"}, {"format": "ipv6"}]}
    if type(field) not in TEXT_FIELDS or "enum" in schema:
        return {}
    formats = [found for validator in field.validators if (found := format_pattern(validator))]
    if "pattern" in schema or formats:
        return {"pattern": schema.get("pattern") or formats[0]}
    refused = next((found for validator in field.validators if (found := refused_characters(validator))), "")
    if field.allow_blank:
        # A blank value is the schema's other choice (drf-spectacular's oneOf): the pattern must not match it.
        return {"pattern": f"^[^{refused}]+$"} if refused else {}
    # DRF trims the value first, so a value of spaces alone is blank.
    visible = f"[^{refused}\\s]" if refused else "\\S"
    anything = f"[^{refused}]*" if refused else "[\\s\\S]*"
    return {"minLength": max(schema.get("minLength", 1), 1), "pattern": f"^{anything}{visible}{anything}$"}


class AutoSchema(BaseAutoSchema):
    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.ListSerializer) and schema.get("type") == "array":
            # drf-spectacular leaves out the bounds of a list of objects (`many=True, max_length=…`).
            bounds = {"minItems": field.min_length, "maxItems": field.max_length}
            schema.update({key: value for key, value in bounds.items() if value is not None})
        if direction == "request" and schema.get("type") == "string" and not schema.get("format"):
            schema.update(_text_rules(field, schema))
        return schema

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        codes = ["400", "401", "403", "429"]
        if "{" in self.path or self._is_list_view():
            codes.append("404")
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            codes += ["409", "413"]
        for code in codes:
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=str(ERRORS[code])), code, direction=direction
                )
        return responses
