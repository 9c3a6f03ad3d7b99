"""API tokens (django-rest-knox): hashed in the database, expiring, shown once, revocable per user."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from knox import views as knox_views
from rest_framework import serializers
from rest_framework.authentication import BasicAuthentication

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
        request=None,
        responses={
            200: TOKEN_RESPONSE,
            401: OpenApiResponse(description=_("用户名或密码错误")),
            403: OpenApiResponse(description=_("有效令牌数已达上限")),
            429: OpenApiResponse(description=_("登录已暂停或请求过于频繁")),
        },
        summary=_("创建 API 令牌"),
    )
    def post(self, request, format=None):
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
