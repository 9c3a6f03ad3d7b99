"""Admin for every model; filing transitions run through the same services as the UI and API."""

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_fsm.admin import FSMAdminMixin

from filings.exceptions import BeianError
from filings.models import (
    ADMIN_TRANSITIONS,
    Alert,
    AlertScan,
    AlertThreshold,
    App,
    AppPlatform,
    AppPriorApproval,
    AuthenticityCheck,
    CalendarDay,
    CalendarYear,
    CallAttempt,
    Cancellation,
    Deadline,
    Domain,
    DurationRule,
    Filing,
    FilingEvent,
    Material,
    MiniProgramPlatform,
    Notification,
    Person,
    PriorApproval,
    ProviderAddressRange,
    Province,
    RejectionReason,
    RuleTerm,
    SiteCheck,
    SmsVerifier,
    Subject,
    Transition,
    Website,
)
from filings.services import calendar, dispatch, transitions
from filings.web.forms.base import RefusesControlCharacters


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "icp_abbreviation",
        "psb_abbreviation",
        "bureau_name",
        "bureau_review_workdays",
        "bureau_review_source",
        "max_domains_per_filing",
        "max_domains_per_website",
        "face_check_hours",
    ]
    search_fields = ["name", "short_name", "icp_abbreviation", "psb_abbreviation"]


@admin.register(RuleTerm)
class RuleTermAdmin(admin.ModelAdmin):
    list_display = ["kind", "value", "category", "province", "note"]
    list_filter = ["kind", "category", "province"]
    search_fields = ["value"]


@admin.register(RejectionReason)
class RejectionReasonAdmin(admin.ModelAdmin):
    list_display = ["code", "field", "reason", "active"]
    list_filter = ["active"]
    search_fields = ["code", "reason"]


@admin.register(DurationRule)
class DurationRuleAdmin(admin.ModelAdmin):
    list_display = ["code", "amount", "unit", "note"]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "is_workday", "name"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "official", "notice"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.official:
            changed = calendar.publish_calendar_year(year=obj.year, notice=obj.notice, by=request.user)
            self.message_user(request, _("已重新计算 %(n)s 个暂定截止时间。") % {"n": changed})


# Home pages typed without a scheme are taken as https (Django 6's default).
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


class WebsiteInline(admin.StackedInline):
    formfield_overrides = HTTPS_URLS
    model = Website
    extra = 0
    show_change_link = True
    autocomplete_fields = ["principal"]


class EventInline(admin.TabularInline):
    model = FilingEvent
    extra = 0
    can_delete = False
    fields = ["at", "actor", "transition", "from_state", "to_state", "comment", "reasons"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class DeadlineInline(admin.TabularInline):
    model = Deadline
    extra = 0
    can_delete = False
    fields = ["kind", "stage_visit", "starts_at", "due_at", "provisional", "closed_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class ReasonsForm(RefusesControlCharacters, forms.Form):
    comment = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea)
    reason = forms.CharField(label=_("原因"))
    field = forms.CharField(label=_("字段"), required=False)
    suggested_fix = forms.CharField(label=_("修改建议"), required=False)

    multiline = ("reason", "suggested_fix")

    def transition_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "comment": data["comment"],
            "reasons": [
                {"field": data["field"], "reason": data["reason"], "suggested_fix": data["suggested_fix"]}
            ],
        }


class ApproveForm(RefusesControlCharacters, forms.Form):
    icp_number = forms.CharField(label=_("主体备案号"), help_text=_("例如 粤ICP备2023012345号"))

    def transition_kwargs(self) -> dict:
        return {"icp_number": self.cleaned_data["icp_number"]}


class PublicSecurityForm(RefusesControlCharacters, forms.Form):
    psb_number = forms.CharField(label=_("公安联网备案号"))

    def transition_kwargs(self) -> dict:
        return {"psb_number": self.cleaned_data["psb_number"]}


@admin.register(Filing)
class FilingAdmin(FSMAdminMixin, admin.ModelAdmin):
    fsm_fields = ["state"]
    fsm_forms = {
        Transition.RETURN_TO_ENTRY: ReasonsForm,
        Transition.REJECT: ReasonsForm,
        Transition.APPROVE: ApproveForm,
        Transition.REGISTER_PUBLIC_SECURITY: PublicSecurityForm,
    }
    list_display = ["id", "subject", "filing_type", "province", "state", "assignee", "reviewer", "updated_at"]
    list_filter = ["state", "filing_type", "province"]
    search_fields = ["subject__name", "icp_number", "websites__domains__name"]
    list_select_related = ["subject", "province", "assignee", "reviewer"]
    raw_id_fields = ["subject", "subject_principal", "assignee", "reviewer"]
    readonly_fields = [
        "reference",
        "stage_visit",
        "stage_entered_at",
        "version",
        "round",
        "submitted_at",
        "published_at",
        "psb_registered_at",
        "created_at",
        "updated_at",
        "icp_number",
        "psb_number",
        "province",  # the bureau is chosen when the filing is created; deadlines copy it
        # Moves the public-security deadline: changed through the principal's page or the API.
        "went_live_on",
    ]
    inlines = [WebsiteInline, DeadlineInline, EventInline]

    def is_fsm_transition_visible(self, transition) -> bool:
        # The scheduler expires SMS windows and face checks; per-verifier completion, face checks and
        # cancel access are recorded on the filing pages.
        return transition.name in ADMIN_TRANSITIONS

    def get_fsm_label(self, transition) -> str:
        return transitions.label(transition.name)

    def _apply_fsm_transition(self, *, obj, transition_name, request, kwargs=None) -> bool:
        values = dict(kwargs or {})
        form_class = self.fsm_forms.get(transition_name)
        if form_class is not None and values:
            form = form_class(data=values)
            values = form.transition_kwargs() if form.is_valid() else values
        try:
            dispatch.perform_transition(obj, transition_name, by=request.user, **values)
        except BeianError as error:
            detail = error.details if isinstance(error.details, list) else []
            reasons = "; ".join(str(d.get("message", "")) for d in detail if isinstance(d, dict))
            self.message_user(request, f"{error.message} {reasons}".strip(), level=messages.ERROR)
            return False
        label = transitions.label(transition_name)
        self.message_user(request, _("已执行“%(name)s”。") % {"name": label})
        return True


@admin.register(Subject)
class SubjectAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "certificate_kind", "province", "city"]
    list_filter = ["kind", "province"]
    search_fields = ["name", "certificate_number"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "id_kind", "mobile", "email"]
    search_fields = ["name", "mobile", "id_number"]


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


class PriorApprovalInline(admin.TabularInline):
    model = PriorApproval
    extra = 0


@admin.register(Website)
class WebsiteAdmin(admin.ModelAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ["name", "filing", "homepage", "server_valid_until", "icp_number"]
    search_fields = ["name", "domains__name"]
    raw_id_fields = ["filing", "principal"]
    inlines = [DomainInline, PriorApprovalInline]


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):
    list_display = ["name", "website", "registrant_name", "real_name_verified_at", "expires_on"]
    search_fields = ["name", "registrant_name"]
    raw_id_fields = ["website"]


@admin.register(PriorApproval)
class PriorApprovalAdmin(admin.ModelAdmin):
    list_display = ["website", "category", "licence_number"]
    raw_id_fields = ["website"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FilingEvent)
class FilingEventAdmin(ReadOnlyAdmin):
    list_display = ["filing", "at", "actor", "transition", "from_state", "to_state"]
    list_filter = ["transition", "to_state"]
    raw_id_fields = ["filing"]


@admin.register(Deadline)
class DeadlineAdmin(ReadOnlyAdmin):
    list_display = ["filing", "kind", "stage_visit", "due_at", "provisional", "closed_at"]
    list_filter = ["kind", "provisional"]


@admin.register(SmsVerifier)
class SmsVerifierAdmin(ReadOnlyAdmin):
    list_display = ["filing", "person", "stage_visit", "sent_at", "verified_at"]


@admin.register(Material)
class MaterialAdmin(ReadOnlyAdmin):
    list_display = ["filing", "kind", "slot", "version", "check_status", "uploaded_by", "uploaded_at"]
    list_filter = ["kind", "check_status"]
    # The stored file's own URL would be a presigned link to the bucket (or an unrouted media path):
    # the file is reached through the permission-checked download view instead.
    exclude = ["file"]
    readonly_fields = ["download"]

    @admin.display(description=_("文件"))
    def download(self, material: Material) -> str:
        url = reverse("filings:material-download", args=[material.filing_id, material.pk])
        return format_html('<a href="{}">{}</a>', url, _("下载"))


# Deadline alerts.


@admin.register(AlertThreshold)
class AlertThresholdAdmin(admin.ModelAdmin):
    list_display = [
        "deadline_kind",
        "name",
        "code",
        "offset",
        "workdays_before",
        "severity",
        "escalate",
        "repeat_every",
        "send_email",
        "send_sms",
        "active",
    ]
    list_filter = ["deadline_kind", "severity", "active"]
    list_editable = ["active"]

    @admin.display(description=_("名称"))
    def name(self, threshold: AlertThreshold) -> str:
        return threshold.name


class NotificationInline(admin.TabularInline):
    model = Notification
    extra = 0
    can_delete = False
    fields = ["user", "reason", "created_at", "read_at", "emailed_at", "sms_sent_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = [
        "raised_at",
        "filing",
        "kind",
        "threshold",
        "occurrence",
        "severity",
        "escalated",
        "deadline_at",
        "provisional",
        "acknowledged_by",
        "withdrawn_at",
    ]
    list_filter = ["severity", "kind", "escalated", "provisional"]
    list_select_related = ["filing__subject", "threshold", "acknowledged_by"]
    search_fields = ["filing__subject__name"]
    raw_id_fields = ["filing", "deadline"]
    inlines = [NotificationInline]


@admin.register(AlertScan)
class AlertScanAdmin(ReadOnlyAdmin):
    list_display = [
        "scanned_until",
        "started_at",
        "finished_at",
        "raised",
        "expired",
        "overdue_total",
        "at_risk_total",
        "provisional_total",
    ]


class AppPlatformInline(admin.TabularInline):
    model = AppPlatform
    extra = 0


class AppPriorApprovalInline(admin.TabularInline):
    model = AppPriorApproval
    extra = 0


@admin.register(App)
class AppAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "mini_platform", "appid", "filing", "icp_number", "cancelled_at"]
    list_filter = ["kind", "mini_platform"]
    search_fields = ["name", "platforms__package_name", "appid"]
    raw_id_fields = ["filing", "principal"]
    inlines = [AppPlatformInline, AppPriorApprovalInline]


@admin.register(MiniProgramPlatform)
class MiniProgramPlatformAdmin(admin.ModelAdmin):
    """The platforms mini-programs and quick apps are filed on, and the form of each one's appid."""

    list_display = ["name", "code", "app_kind", "id_label", "id_pattern", "id_example", "position"]
    list_editable = ["id_pattern", "id_example", "position"]
    list_filter = ["app_kind"]


@admin.register(Cancellation)
class CancellationAdmin(admin.ModelAdmin):
    list_display = ["filing", "scope", "reason", "confirmed_at", "applied_at"]
    list_filter = ["scope", "reason"]
    search_fields = ["filing__subject__name", "website__name", "app__name"]
    raw_id_fields = ["filing", "website", "app"]


@admin.register(AuthenticityCheck)
class AuthenticityCheckAdmin(admin.ModelAdmin):
    list_display = ["filing", "person", "outcome", "started_at", "expires_at", "recorded_at"]
    list_filter = ["outcome"]
    search_fields = ["filing__subject__name", "person__name"]
    raw_id_fields = ["filing", "person", "recorded_by"]


@admin.register(ProviderAddressRange)
class ProviderAddressRangeAdmin(admin.ModelAdmin):
    list_display = ["provider", "cidr", "note"]
    search_fields = ["provider", "cidr"]


@admin.register(SiteCheck)
class SiteCheckAdmin(ReadOnlyAdmin):
    list_display = ["filing", "url", "checked_at", "answered", "resolves", "in_provider_ranges", "failures"]
    raw_id_fields = ["filing", "website"]


@admin.register(CallAttempt)
class CallAttemptAdmin(ReadOnlyAdmin):
    list_display = ["filing", "person", "number", "called_at", "outcome", "recorded_by"]
    list_filter = ["outcome"]
    raw_id_fields = ["filing", "person"]
