"""The rows of bulk filings, table by table: each filing with its subject, principal, website,
domain, history, recorded submissions, stage deadlines and SMS verifier, as plain tuples that
filings/demo/loading.py writes (no model objects: a million of each would cost minutes)."""

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache

import filings.demo.risk_shape as demo_risk
from filings.demo.history import FINISHED_STATES, WorkdayClock, plan_steps, shift_to_recent
from filings.demo.loading import new_ids
from filings.demo.names import BUSINESS_WORDS, COMPANY_WORDS, SITE_WORDS, invented_person_fields
from filings.formats.divisions import example_division
from filings.formats.identity import make_uscc
from filings.kinds.registry import kind_of
from filings.kinds.states import State
from filings.models import (
    Deadline,
    Domain,
    Filing,
    FilingEvent,
    Person,
    Province,
    SmsVerifier,
    Subject,
    SubmittedFeatures,
    Transition,
    Website,
)
from filings.rules import deadlines, workdays
from filings.services.bulk_rows import Table

STATE_WEIGHTS = [
    (State.ENTRY, 8),
    (State.PROVIDER_REVIEW, 4),
    (State.SMS_VERIFICATION, 2),
    (State.BUREAU_REVIEW, 10),
    (State.PUBLISHED, 72),
    (State.WITHDRAWN, 4),
]
REVIEWER_TRANSITIONS = frozenset({Transition.PASS_REVIEW, Transition.APPROVE, Transition.REJECT})
SENT_BACK = frozenset({Transition.REJECT, Transition.RETURN_TO_ENTRY})
ADDRESS = "示例市示范路1号"

PERSON = ("id", "name", "id_number", "id_valid_until", "mobile", "emergency_phone", "email")
SUBJECT = (
    "id",
    "kind",
    "name",
    "certificate_kind",
    "certificate_number",
    "licence_long_term",
    "province_id",
    "legal_representative",
)
FILING = (
    "id",
    "reference",
    "filing_type",
    "subject_id",
    "province_id",
    "subject_principal_id",
    "assignee_id",
    "reviewer_id",
    "state",
    "stage_visit",
    "stage_entered_at",
    "round",
    "icp_number",
    "psb_number",
    "psb_registered_at",
    "submitted_at",
    "published_at",
    "went_live_on",
    "created_at",
    "updated_at",
    "search_document",
)
WEBSITE = ("id", "filing_id", "name", "homepage", "principal_id", "service_content", "icp_number")
DOMAIN = ("website_id", "name", "registrant_name")
EVENT = ("filing_id", "actor_id", "at", "transition", "from_state", "to_state", "reasons", "stage_visit")
SUBMITTED = ("filing_id", "round", "submitted_at", "features")
DEADLINE = (
    "filing_id",
    "province_id",
    "stage",
    "stage_visit",
    "kind",
    "starts_at",
    "due_at",
    "workdays",
    "provisional",
)
SMS = ("filing_id", "stage_visit", "person_id", "mobile", "sent_at")


def tables(today: date) -> dict[str, Table]:
    """Return the tables a batch fills, in the order it writes them."""
    return {
        "people": Table(Person, PERSON),
        "subjects": Table(
            Subject,
            SUBJECT,
            fixed={"city": "示例市", "registered_address": ADDRESS, "postal_address": ADDRESS},
        ),
        "filings": Table(Filing, FILING),
        "websites": Table(
            Website,
            WEBSITE,
            fixed={
                "position": 1,
                "server_provider": "示例云计算有限公司",
                "server_valid_until": today + timedelta(days=365),
            },
        ),
        "domains": Table(
            Domain,
            DOMAIN,
            fixed={
                "real_name_verified_at": today - timedelta(days=60),
                "expires_on": today + timedelta(days=500),
            },
        ),
        "events": Table(FilingEvent, EVENT),
        "submitted": Table(SubmittedFeatures, SUBMITTED),
        "deadlines": Table(Deadline, DEADLINE),
        "sms": Table(SmsVerifier, SMS),
    }


@dataclass
class StageFacts:
    """What the deadline rules read of a filing that has just entered its stage."""

    state: str
    province: Province
    filing_type: str
    psb_number: str
    went_live_on: date | None
    stage_entered_at: datetime

    @property
    def kind(self):
        return kind_of(self.filing_type)


@dataclass
class Draft:
    """One bulk filing while its rows are made: what a later step needs of an earlier one."""

    number: int
    province: Province
    profile: demo_risk.Profile
    ids: tuple[int, int, int, int]  # person, subject, filing, website
    mobile: str = ""
    subject_name: str = ""
    certificate_number: str = ""
    steps: list = field(default_factory=list)
    filing_type: str = ""
    icp_number: str = ""
    psb_number: str = ""
    psb_registered_at: datetime | None = None


@dataclass
class BulkRows:
    """Makes the rows of bulk filings, batch after batch, from one random generator."""

    rng: random.Random
    run_id: int
    owners: list[int]
    reviewer_id: int
    now: datetime
    today: date
    states: list[tuple[str, int]] = field(default_factory=lambda: STATE_WEIGHTS)

    def __post_init__(self) -> None:
        self.provinces = list(Province.objects.all())
        self.weights = [5 if p.code in ("44", "11", "31", "33", "32") else 1 for p in self.provinces]
        self.state_names, self.state_weights = zip(*self.states, strict=True)
        self.clock = WorkdayClock()
        self.reason_rows = demo_risk.ReasonRows()
        self.division = cache(example_division)
        self.dues: dict[tuple, workdays.Due] = {}
        self.tables = tables(self.today)

    def reserve(self, count: int) -> None:
        """Reserve the primary keys of `count` filings and their parts (before the first batch:
        while batches are written from another thread, this one does not use the connection)."""
        self.ids = zip(
            new_ids(Person, count),
            new_ids(Subject, count),
            new_ids(Filing, count),
            new_ids(Website, count),
            strict=True,
        )

    def make_batch(self, *, size: int, offset: int) -> list[tuple[Table, list[tuple]]]:
        """Return the rows of `size` filings, the first of them number `offset`, table by table.

        The random draws come in the order the earlier object-based seed made them (provinces and
        profiles, then people and subjects, then histories, then websites), so that a seed value
        gives the same filings as before."""
        rng = self.rng
        rows: dict[str, list[tuple]] = {name: [] for name in self.tables}
        provinces = rng.choices(self.provinces, weights=self.weights, k=size)
        profiles = [demo_risk.draw_profile(rng, province.code) for province in provinces]
        drafts = [
            Draft(number=offset + i, province=province, profile=profile, ids=next(self.ids))
            for i, (province, profile) in enumerate(zip(provinces, profiles, strict=True))
        ]
        for draft in drafts:
            self._subject(rows, draft)
        for draft in drafts:
            self._history(draft)
        for draft in drafts:
            self._filing(rows, draft)
        return [(table, rows[name]) for name, table in self.tables.items()]

    def _subject(self, rows, draft: Draft) -> None:
        rng, province, profile = self.rng, draft.province, draft.profile
        person_id, subject_id = draft.ids[0], draft.ids[1]
        person = invented_person_fields(rng, province.code)
        draft.mobile = person["mobile"]
        rows["people"].append(
            (
                person_id,
                person["name"],
                person["id_number"],
                person["id_valid_until"],
                person["mobile"],
                person["emergency_phone"],
                person["email"],
            )
        )
        if profile.subject_kind == Subject.Kind.INDIVIDUAL:
            draft.subject_name, draft.certificate_number = person["name"], person["id_number"]
            rows["subjects"].append(
                (
                    subject_id,
                    Subject.Kind.INDIVIDUAL,
                    draft.subject_name,
                    Subject.CertificateKind.RESIDENT_ID,
                    draft.certificate_number,
                    False,
                    province.pk,
                    "",
                )
            )
            return
        draft.subject_name = (
            f"{province.short_name}{rng.choice(COMPANY_WORDS)}{rng.choice(BUSINESS_WORDS)}"
            f"有限公司{self.run_id}-{draft.number}"
        )
        draft.certificate_number = make_uscc(rng, province.code)
        rows["subjects"].append(
            (
                subject_id,
                Subject.Kind.ENTERPRISE,
                draft.subject_name,
                Subject.CertificateKind.USCC,
                draft.certificate_number,
                True,
                province.pk,
                person["name"] if profile.features["legal_rep"] == "yes" else "张法人",
            )
        )

    def _history(self, draft: Draft) -> None:
        rng, now, today, province = self.rng, self.now, self.today, draft.province
        state = rng.choices(self.state_names, weights=self.state_weights)[0]
        start_day = today - timedelta(days=rng.randint(1, 400))
        # Only finished filings have a first submission sent back: an open filing's history is moved
        # to the last weeks, which would crowd the recent decisions with returns.
        sent_back = draft.profile.outcome if state in FINISHED_STATES else None
        draft.steps = shift_to_recent(
            plan_steps(state, sent_back, province, start_day, rng, self.clock, today), state, rng, now
        )
        last_at, last_state = draft.steps[-1][3], draft.steps[-1][2]
        published = last_state == State.PUBLISHED
        # Most sites published a while ago have registered with public security by now.
        registered = published and now - last_at > timedelta(days=40)
        draft.filing_type = Filing.Type.FIRST if rng.random() < 0.8 else Filing.Type.NEW_WEBSITE
        if published:
            draft.icp_number = f"{province.icp_abbreviation}ICP备{start_day.year}{rng.randrange(10**6):06d}号"
        if registered:
            draft.psb_number = f"{province.psb_abbreviation}公网安备{self.division(province.code)}{rng.randrange(10**8):08d}号"
            draft.psb_registered_at = last_at + timedelta(days=rng.randint(3, 30))

    def _filing(self, rows, draft: Draft) -> None:
        rng, province, profile, steps = self.rng, draft.province, draft.profile, draft.steps
        person_id, subject_id, filing_id, website_id = draft.ids
        last_at, last_state, visit = steps[-1][3], steps[-1][2], len(steps)
        published = last_state == State.PUBLISHED
        assignee_id = self.owners[draft.number]
        went_live_on = last_at.astimezone(workdays.SHANGHAI).date() if published else None
        website_name = f"{rng.choice(COMPANY_WORDS)}{rng.choice(SITE_WORDS)}"
        website_icp = f"{draft.icp_number}-1" if draft.icp_number else ""
        domain = f"site{subject_id}.cn"
        rows["filings"].append(
            (
                filing_id,
                uuid.uuid4(),
                draft.filing_type,
                subject_id,
                province.pk,
                person_id,
                assignee_id,
                self.reviewer_id if last_state != State.ENTRY else None,
                last_state,
                visit,
                last_at,
                sum(1 for s in steps if s[0] == Transition.SUBMIT),
                draft.icp_number,
                draft.psb_number,
                draft.psb_registered_at,
                next((s[3] for s in reversed(steps) if s[0] == Transition.SUBMIT), None),
                last_at if published else None,
                went_live_on,
                steps[0][3],
                last_at,
                search_document(
                    subject=(draft.subject_name, draft.certificate_number),
                    icp_number=draft.icp_number,
                    website=(website_name, website_icp),
                    domain=domain,
                ),
            )
        )
        rows["websites"].append(
            (
                website_id,
                filing_id,
                website_name,
                f"https://www.{domain}/",
                person_id,
                profile.features["service_content"],
                website_icp,
            )
        )
        rows["domains"].append((website_id, domain, draft.subject_name))

        submissions = 0
        for stage_visit, (name, from_state, to_state, at) in enumerate(steps, start=1):
            reasons = [self.reason_rows(code) for code in profile.codes] if name in SENT_BACK else []
            if (from_state, to_state) == (State.ENTRY, State.PROVIDER_REVIEW):
                # A submission, judged on its features: the first one's, then the fixed ones.
                submissions += 1
                features = profile.features if submissions == 1 else profile.fixed_features()
                rows["submitted"].append((filing_id, submissions, at, features))
            actor = self.reviewer_id if name in REVIEWER_TRANSITIONS else assignee_id
            rows["events"].append((filing_id, actor, at, name, from_state, to_state, reasons, stage_visit))
        if draft.psb_registered_at:
            rows["events"].append(
                (
                    filing_id,
                    assignee_id,
                    draft.psb_registered_at,
                    Transition.REGISTER_PUBLIC_SECURITY,
                    State.PUBLISHED,
                    State.PUBLISHED,
                    [],
                    visit,
                )
            )
        facts = StageFacts(last_state, province, draft.filing_type, draft.psb_number, went_live_on, last_at)
        for rule in deadlines.rules_for(facts):
            starts_at = (
                deadlines.public_security_start(facts)
                if rule.kind == Deadline.Kind.PUBLIC_SECURITY
                else last_at
            )
            due = self._due(rule, starts_at)
            rows["deadlines"].append(
                (
                    filing_id,
                    province.pk,
                    last_state,
                    visit,
                    rule.kind,
                    starts_at,
                    due.at,
                    rule.workdays,
                    due.provisional,
                )
            )
        if last_state == State.SMS_VERIFICATION:
            rows["sms"].append((filing_id, visit, person_id, draft.mobile, last_at))

    def _due(self, rule: deadlines.DeadlineRule, starts_at: datetime) -> workdays.Due:
        if rule.workdays is None and rule.kind != Deadline.Kind.PUBLIC_SECURITY:
            return deadlines.compute_due(rule, starts_at)
        # Counted in working or civil days, the due moment depends only on the starting day.
        key = (rule, starts_at.astimezone(workdays.SHANGHAI).date())
        if key not in self.dues:
            self.dues[key] = deadlines.compute_due(rule, starts_at)
        return self.dues[key]


def search_document(
    *, subject: tuple[str, str], icp_number: str, website: tuple[str, str], domain: str
) -> str:
    """Return what the database's beian_filing_document() computes for a filing with one website and
    one domain (migration 0020): the bulk load writes it with the row instead of a trigger per row."""
    website_name, website_icp = website
    parts = [f"{subject[0]}\n{subject[1]}"]
    if icp_number:
        parts.append(icp_number)
    parts.append(f"{website_name}\n{website_icp}" if website_icp else website_name)
    parts.append(domain)
    return "\n".join(parts).lower()
