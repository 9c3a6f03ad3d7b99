"""Query parameters read through serializers: a malformed value (`overdue=null`, an empty or unknown
choice, a number that is not one) is a 400 naming the parameter, and the schema lists what each
parameter accepts from the same serializer (`extend_schema(parameters=[TheQuery])`)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from filings.kinds.states import State
from filings.models import Deadline, Filing, Severity


def query_values(serializer_class: type[serializers.Serializer], request) -> dict:
    """Return the query parameters the serializer declares, validated (a 400 otherwise)."""
    for name, value in request.query_params.items():
        if "\x00" in value:
            raise ValidationError({name: [_("参数含有不可见的控制字符。")]})
    # A plain dict (the last value of each name): a form-style QueryDict would read a missing
    # boolean as false instead of absent.
    query = serializer_class(data=request.query_params.dict())
    query.is_valid(raise_exception=True)
    return query.validated_data


class FilingListQuery(serializers.Serializer):
    state = serializers.ChoiceField(choices=State.choices, required=False)
    province = serializers.CharField(
        required=False, allow_blank=True, max_length=16, help_text=gettext_lazy("省份代码或简称,如 44 或 粤")
    )
    overdue = serializers.BooleanField(required=False, help_text=gettext_lazy("只看(或不看)已超期的备案"))
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text=gettext_lazy("主体或网站名称")
    )
    domain = serializers.CharField(required=False, allow_blank=True, max_length=253)
    filing_type = serializers.ChoiceField(choices=Filing.Type.choices, required=False)


class AlertListQuery(serializers.Serializer):
    unread = serializers.BooleanField(required=False, help_text=gettext_lazy("只看未读"))
    acknowledged = serializers.BooleanField(required=False)
    withdrawn = serializers.BooleanField(required=False, help_text=gettext_lazy("默认不含已撤销的提醒"))
    severity = serializers.ChoiceField(choices=Severity.choices, required=False)
    kind = serializers.ChoiceField(choices=Deadline.Kind.choices, required=False)
    filing = serializers.IntegerField(required=False, min_value=1, help_text=gettext_lazy("备案编号"))
