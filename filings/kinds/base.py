"""What a filing type is: the declaration the shared machinery reads instead of asking which type
a filing is (the stages it walks, what it is made of, how it is numbered, what its approval does
and the words its pages, decisions and alerts use)."""

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from filings.kinds.states import State

# The stages every filing that goes to the bureau walks, in order.
BUREAU_STAGES = (
    State.ENTRY,
    State.PROVIDER_REVIEW,
    State.SMS_VERIFICATION,
    State.BUREAU_REVIEW,
    State.PUBLISHED,
)
# Sections of a website filing a reviewer can name in a return.
WEBSITE_SECTIONS = ("subject", "subject_principal", "website_principal", "website", "domain")
APP_SECTIONS = ("subject", "subject_principal", "app", "app_principal")


class Approval:
    """What approving (or finishing) a filing does; services.approval runs the matching service."""

    PUBLISH = "publish"  # numbers are given and what was filed goes online (public-security period opens)
    APPLY_CHANGE = "apply_change"  # the changed values replace the published ones, numbers kept
    CANCEL = "cancel"  # the website, app or subject is cancelled; its deadlines and queues close
    END_ACCESS = "end_access"  # the provider stops hosting the website


class Numbers:
    """How a filing's ICP numbers are given on approval."""

    NEW = "new"  # the bureau gives the subject number and each item its -N
    EXISTING = "existing"  # the numbers the items were filed with elsewhere are kept
    NONE = "none"  # no number is given (changes and cancellations keep or drop the published ones)


class Recipients:
    """Who receives the MIIT SMS when pre-review passes."""

    SUBJECT_AND_ITEMS = "subject_and_items"
    ITEM_PRINCIPALS = "item_principals"
    CHANGED_SECTIONS = "changed_sections"
    NONE = "none"


class Materials:
    """Which list of materials a filing of the type needs (rules.checks.materials.MATERIAL_LISTS has each)."""

    STANDARD = "standard"
    CHANGE = "change"
    CANCELLATION = "cancellation"
    NONE = "none"


@dataclass(frozen=True)
class Words:
    """The words a type's pages, decisions and alerts use."""

    # Said to the reviewer once the approval (or the finish at the provider) is recorded.
    approved_notice: Promise = _("已记录管局审核通过,备案已公示。")
    # The principal's next step once approved, asked while the filing owes the public-security
    # registration (FilingKind.owes_public_security and no number recorded yet).
    after_approval_action: Promise = _("登记公安联网备案号")
    # What the approval's decision says happened: the stage it lands in, and its title ("" for the
    # transition's own name).
    approved_state: Promise = _("备案已公示")
    decision_title: Promise | str = ""
    # The principal's next step once published, while the public-security registration is owed.
    publish_todo: Promise = _("在网站页脚展示备案号,并在开通后30天内办理公安联网备案。")
    # Said once nothing is left to do.
    finished: Promise = _("备案已完成,无需操作。")


@dataclass(frozen=True)
class FilingKind:
    """One filing type, declared the way a ModelAdmin declares what the admin shows of a model."""

    code: str
    stages: tuple[str, ...] = BUREAU_STAGES
    approval: str = Approval.PUBLISH
    numbers: str = Numbers.NEW
    recipients: str = Recipients.SUBJECT_AND_ITEMS
    materials: str = Materials.STANDARD
    # Whether the filing is made of apps (edited on the app form and checked as apps) rather than
    # websites; None: as the copy it holds (a change of an app filing holds apps).
    made_of_apps: bool | None = False
    # Whether it acts on a published filing (Filing.target) rather than filing something new.
    acts_on_target: bool = False
    # Whether it adds to a subject that already has a published filing (the subject is chosen).
    needs_published_subject: bool = False
    # The Cancellation scopes a cancellation of this type covers.
    cancel_scopes: tuple[str, ...] = ()
    # Whether a published filing of this type can be changed or cancelled (followups act on it).
    takes_followups: bool = True
    return_sections: tuple[str, ...] = WEBSITE_SECTIONS
    words: Words = field(default_factory=Words)

    @property
    def last_open_stage(self) -> str:
        """Return the stage whose end publishes (or finishes) a filing of this type."""
        return self.stages[-2]

    @property
    def walks_sms(self) -> bool:
        return State.SMS_VERIFICATION in self.stages

    @property
    def owes_public_security(self) -> bool:
        """Return whether its publication puts something online that owes public-security registration."""
        return self.approval == Approval.PUBLISH

    @property
    def approval_form(self) -> str:
        """Return the template of the reviewer's form that records the approval."""
        return f"review/approval/{self.approval}.html"

    @property
    def cancels(self) -> bool:
        return self.approval in (Approval.CANCEL, Approval.END_ACCESS)

    @property
    def may_hold_apps(self) -> bool:
        """Return whether a filing of this type can hold apps (pages read none for one that cannot)."""
        return self.made_of_apps is not False

    def holds_apps(self, filing) -> bool:
        """Return whether the filing is edited and checked as apps (prefetched apps are reused)."""
        if self.made_of_apps is None:
            return bool(filing.apps.all())
        return self.made_of_apps
