"""The filing models, one module per concern; everything is importable from filings.models."""

from filings.kinds.states import State
from filings.models.alerts import Alert, AlertScan, AlertThreshold, Notification, Severity
from filings.models.apps import App, AppPlatform, AppPriorApproval, MiniProgramPlatform
from filings.models.authenticity import AuthenticityCheck
from filings.models.bureau_imports import BureauImport, BureauImportRow
from filings.models.cancellations import Cancellation
from filings.models.contacts import CallAttempt
from filings.models.deadlines import Deadline, deadline_label
from filings.models.exports import ExportJob
from filings.models.filing import ADMIN_TRANSITIONS, REQUESTED_TRANSITIONS, TRANSITION_LABELS, Filing
from filings.models.history import AppendOnlyQuerySet, FilingEvent
from filings.models.materials import Material, material_upload_to
from filings.models.packages import BureauPackage
from filings.models.people import Person
from filings.models.reference import (
    CalendarDay,
    CalendarYear,
    DurationRule,
    Province,
    RejectionReason,
    RuleTerm,
)
from filings.models.review import (
    FooterCheck,
    ReasonDay,
    ReasonRollup,
    StageCount,
    StageDuration,
    StageEntryDay,
    StageVisitDay,
    StatsRefresh,
    WeeklyFlow,
)
from filings.models.risk import RiskCase, RiskSummary, SubmittedFeatures
from filings.models.site_watch import Failure, ProviderAddressRange, SiteCheck, SiteRotation, SiteWatch
from filings.models.sms import SmsVerifier
from filings.models.subjects import Subject
from filings.models.transitions import finish_transition, transition_enum, transitions_into
from filings.models.websites import Domain, PriorApproval, Website

# The state machine's transition names (Transition.SUBMIT == "submit"), for code that names one.
Transition = transition_enum(Filing)
# Transitions that send a filing back to entry for the principal to fix, with the stage each leaves.
FIX_TRANSITIONS = transitions_into(Filing, State.ENTRY)

__all__ = [
    "FIX_TRANSITIONS",
    "Transition",
    "finish_transition",
    "ADMIN_TRANSITIONS",
    "REQUESTED_TRANSITIONS",
    "TRANSITION_LABELS",
    "App",
    "AppPlatform",
    "AppPriorApproval",
    "MiniProgramPlatform",
    "AuthenticityCheck",
    "BureauImport",
    "BureauPackage",
    "BureauImportRow",
    "Cancellation",
    "CallAttempt",
    "Alert",
    "AlertScan",
    "AlertThreshold",
    "Notification",
    "Severity",
    "AppendOnlyQuerySet",
    "CalendarDay",
    "CalendarYear",
    "Deadline",
    "DurationRule",
    "deadline_label",
    "Domain",
    "Filing",
    "FilingEvent",
    "Material",
    "Person",
    "PriorApproval",
    "Province",
    "RejectionReason",
    "RuleTerm",
    "SmsVerifier",
    "Subject",
    "Website",
    "material_upload_to",
    "ExportJob",
    "FooterCheck",
    "Failure",
    "ProviderAddressRange",
    "SiteCheck",
    "SiteWatch",
    "SiteRotation",
    "ReasonDay",
    "ReasonRollup",
    "StageCount",
    "StageEntryDay",
    "StageDuration",
    "StageVisitDay",
    "StatsRefresh",
    "WeeklyFlow",
    "RiskCase",
    "RiskSummary",
    "SubmittedFeatures",
]
