"""The OpenAPI schema as the API behaves: every operation lists the errors it can answer with."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


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


class AutoSchema(BaseAutoSchema):
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
