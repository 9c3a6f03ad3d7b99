"""API tokens (django-rest-knox): hashed in the database, expiring, shown once, revocable per user."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from knox import views as knox_views
from rest_framework import serializers
from rest_framework.authentication import BasicAuthentication
from rest_framework.exceptions import PermissionDenied

from accounts import two_factor
from accounts.roles import is_staff_role

TOKEN_RESPONSE = inline_serializer(
    "ApiToken",
    fields={
        "token": serializers.CharField(help_text=_("只在此时显示一次,请妥善保存")),
        "expiry": serializers.DateTimeField(allow_null=True),
    },
)


class TokenLoginView(knox_views.LoginView):
    """Exchange a username and password (HTTP Basic) for a new API token."""

    authentication_classes = [BasicAuthentication]

    def initial(self, request, *args, **kwargs):
        try:
            super().initial(request, *args, **kwargs)
        finally:
            # django-axes marks the request it was given, DRF's wrapper; its middleware reads Django's.
            if getattr(request, "axes_locked_out", False):
                request._request.axes_locked_out = True

    @extend_schema(
        request=inline_serializer(
            "ApiTokenRequest",
            fields={
                "otp": serializers.CharField(
                    required=False, help_text=_("初审员、管理者和管理员须提供验证器上的验证码或备用码")
                )
            },
        ),
        responses={
            200: TOKEN_RESPONSE,
            401: OpenApiResponse(description=_("用户名或密码错误")),
            403: OpenApiResponse(description=_("缺少两步验证码,或有效令牌数已达上限")),
            429: OpenApiResponse(description=_("登录已暂停或请求过于频繁")),
        },
        summary=_("创建 API 令牌"),
    )
    def post(self, request, format=None):
        if is_staff_role(request.user):
            otp = request.data.get("otp") if hasattr(request.data, "get") else None
            if not isinstance(otp, str) or not two_factor.match_second_factor(request.user, otp):
                raise PermissionDenied(_("初审员、管理者和管理员须在 otp 字段提供验证器上的验证码或备用码。"))
        return super().post(request, format)


class TokenLogoutView(knox_views.LogoutView):
    """Revoke the token this request was made with."""

    @extend_schema(request=None, responses={204: None, 401: None}, summary=_("吊销当前令牌"))
    def post(self, request, format=None):
        return super().post(request, format)


class TokenLogoutAllView(knox_views.LogoutAllView):
    """Revoke every token of the requesting user."""

    @extend_schema(request=None, responses={204: None, 401: None}, summary=_("吊销本人的全部令牌"))
    def post(self, request, format=None):
        return super().post(request, format)
