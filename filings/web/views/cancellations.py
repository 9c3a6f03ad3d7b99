"""The short forms of 注销网站 / 注销APP / 注销主体 and 取消接入, opened from a published filing."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from filings.exceptions import BeianError, InvalidInput
from filings.models import Cancellation, Filing
from filings.reads import selectors
from filings.rules.proposals import LastItemChoice
from filings.services import cancellations
from filings.web.forms.base import AccessibleFormMixin
from filings.web.views.common import error_message


class CancellationForm(AccessibleFormMixin, forms.Form):
    scope = forms.ChoiceField(label=gettext_lazy("办理类型"), choices=Cancellation.Scope.choices)
    website = forms.TypedChoiceField(label=gettext_lazy("网站"), required=False, coerce=int, empty_value=None)
    app = forms.TypedChoiceField(label=gettext_lazy("应用"), required=False, coerce=int, empty_value=None)
    reason = forms.ChoiceField(label=gettext_lazy("原因"), choices=Cancellation.Reason.choices)
    explanation = forms.CharField(
        label=gettext_lazy("说明"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    next_provider = forms.CharField(
        label=gettext_lazy("继续接入的服务商"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("仅取消接入:留空表示没有其他服务商接入,网站将成为空壳网站。"),
    )
    last_item = forms.ChoiceField(
        label=gettext_lazy("注销最后一个网站或APP时"),
        required=False,
        choices=[("", "—"), *LastItemChoice.choices],
        help_text=gettext_lazy(
            "主体没有其他已备案的网站或APP时,注销它会留下空壳主体:请选择改为注销主体,或保留主体。"
        ),
    )
    confirm = forms.BooleanField(label=gettext_lazy("我确认办理上述注销或取消接入"), required=False)

    def __init__(self, *args, target: Filing, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["website"].choices = [("", "—")] + [
            (w.pk, f"{w.name} {w.icp_number}") for w in target.websites.all() if w.cancelled_at is None
        ]
        self.fields["app"].choices = [("", "—")] + [
            (a.pk, f"{a.name} {a.icp_number}") for a in target.apps.all() if a.cancelled_at is None
        ]
        # Offer only what this filing has left to cancel: 注销APP on a filing without apps could only fail.
        without = set()
        if len(self.fields["website"].choices) == 1:
            without |= {Cancellation.Scope.WEBSITE, Cancellation.Scope.ACCESS}
        if len(self.fields["app"].choices) == 1:
            without.add(Cancellation.Scope.APP)
        self.fields["scope"].choices = [c for c in Cancellation.Scope.choices if c[0] not in without]


@login_required
@require_http_methods(["GET", "POST"])
def cancellation_open(request, filing_id: int):
    target = selectors.filing_detail(request.user, filing_id)
    status = 200
    if request.method == "POST":
        form = CancellationForm(request.POST, target=target)
        try:
            if not form.is_valid():
                raise InvalidInput(_("填写的信息有误,请检查标出的字段。"))
            data = form.cleaned_data
            filing = cancellations.open_cancellation(
                target,
                by=request.user,
                scope=data["scope"],
                reason=data["reason"],
                confirm=data["confirm"],
                website_id=data["website"],
                app_id=data["app"],
                explanation=data["explanation"],
                next_provider=data["next_provider"],
                last_item=data["last_item"],
            )
        except InvalidInput as error:
            messages.error(request, error_message(error))
            if isinstance(error.details, dict) and hasattr(form, "cleaned_data"):
                for key, problems in error.details.items():
                    if key in form.fields:
                        form.add_error(key, " ".join(str(p) for p in problems))
            status = error.status_code
        except BeianError as error:
            messages.error(request, str(error.message))
            status = error.status_code
        else:
            messages.success(request, _("申请已创建。下一步:上传材料并提交。"))
            return redirect(filing)
    else:
        form = CancellationForm(initial=request.GET.dict(), target=target)
    return render(request, "filings/cancellation_form.html", {"form": form, "filing": target}, status=status)
