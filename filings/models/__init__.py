"""The filing models, one module per concern; everything is importable from filings.models."""

from filings.kinds.states import State
from filings.models.alerts import Alert, AlertScan, AlertThreshold, Notification, Severity
from filings.models.apps import App, AppPlatform, AppPriorApproval, MiniProgramPlatform
from filings.models.authenticity import AuthenticityCheck
from filings.models.cancellations import Cancellation
from filings.models.core import (
    ADMIN_TRANSITIONS,
    REQUESTED_TRANSITIONS,
    TRANSITION_LABELS,
    AppendOnlyQuerySet,
    CalendarDay,
    CalendarYear,
    Deadline,
    Domain,
    DurationRule,
    Filing,
    FilingEvent,
    Material,
    Person,
    PriorApproval,
    Province,
    RejectionReason,
    RuleTerm,
    SmsVerifier,
    Subject,
    Website,
    deadline_label,
    material_upload_to,
)
from filings.models.exports import ExportJob
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
from filings.models.transitions import finish_transition, transition_enum, transitions_into

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
    "Cancellation",
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
