"""What the principal's pages show about a filing: its progress through the five stages, the next
deadline as a countdown, the next thing to do, its materials by slot and where to fix a problem."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from filings.kinds import kind_of
from filings.kinds.states import State
from filings.models import (
    FIX_TRANSITIONS,
    TRANSITION_LABELS,
    Deadline,
    Filing,
    FilingEvent,
    Material,
    Person,
    Transition,
    finish_transition,
)
from filings.rules import checks, workdays
from filings.rules.fields import RELATION_LABELS, field_label
from filings.rules.privacy import mask_email, mask_id_number, mask_phone
from filings.rules.scans import say
from filings.services.notifications import landed_in, reason_line, where_to_act

# Transitions that send a filing back to entry, with the stage it came back from.
RETURN_TRANSITIONS = FIX_TRANSITIONS
RETURN_LABELS = {
    Transition.RETURN_TO_ENTRY: gettext_lazy("服务商初审退回"),
    Transition.REJECT: gettext_lazy("管局退回"),
    Transition.EXPIRE_SMS: gettext_lazy("短信核验超时退回"),
    Transition.FAIL_SMS: gettext_lazy("短信核验失败退回"),
    Transition.FAIL_FACE_CHECK: gettext_lazy("真实性核验未通过退回"),
    Transition.EXPIRE_FACE_CHECK: gettext_lazy("真实性核验超时退回"),
}
# The transitions that open or close a round; the latest one tells whether entry follows a return.
ROUND_TRANSITIONS = [*RETURN_TRANSITIONS, Transition.SUBMIT]
EVENT_LABELS = {
    **TRANSITION_LABELS,
    "create": gettext_lazy("创建草稿"),
    "edit": gettext_lazy("修改信息"),
    "upload": gettext_lazy("上传材料"),
    "sms_verified": gettext_lazy("记录短信核验"),
    "correct_public_security": gettext_lazy("更正公安联网备案号"),
    "set_went_live_on": gettext_lazy("修改网站开通日期"),
    "change_opened": gettext_lazy("开始变更备案"),
    "change_applied": gettext_lazy("变更生效"),
    "face_check_passed": gettext_lazy("真实性核验通过"),
    "face_check_failed": gettext_lazy("真实性核验未通过"),
    "cancellation_applied": gettext_lazy("注销或取消接入生效"),
}


@dataclass(frozen=True)
class Step:
    state: str
    label: str
    status: str  # done, current, returned, todo
    number: int = 0
    status_text: str = ""  # said beside the step's dot for screen readers

    @property
    def mark(self) -> str:
        return STEP_MARKS.get(self.status, str(self.number))


STEP_MARKS = {"done": "✓", "returned": "✕"}
# Said beside each step's dot for screen readers.
STEP_STATUS_TEXTS = {
    "done": gettext_lazy("已完成"),
    "current": gettext_lazy("当前阶段"),
    "returned": gettext_lazy("在此阶段被退回"),
    "todo": gettext_lazy("未开始"),
}


@dataclass
class Progress:
    steps: list[Step]
    returned: str = ""
    withdrawn: bool = False


def returned_by(filing: Filing, last_round_transition: str | None) -> str:
    """Return the name of the return that put the filing back in entry, or "" if none did."""
    if filing.state == State.ENTRY and last_round_transition in RETURN_TRANSITIONS:
        return last_round_transition
    return ""


def last_round_transition_from_events(events: list[FilingEvent]) -> str | None:
    for event in reversed(events):
        if event.transition in ROUND_TRANSITIONS:
            return event.transition
    return None


def progress_of(filing: Filing, returned: str = "") -> Progress:
    return progress_in(filing.filing_type, filing.state, returned)


def progress_in(filing_type: str, state: str, returned: str = "") -> Progress:
    """Return the progress bar of a filing of this type in this state (and returned by that)."""
    withdrawn = state == State.WITHDRAWN
    stages = kind_of(filing_type).stages  # only the stages the filing's type walks
    current = -1 if withdrawn else stages.index(state)
    came_back_from = stages.index(RETURN_TRANSITIONS[returned]) if returned else -1
    steps = []
    for index, stage in enumerate(stages):
        if index == came_back_from:
            status = "returned"
        elif index < current:
            status = "done"
        elif index == current:
            status = "current"
        else:
            status = "todo"
        steps.append(Step(stage, str(stage.label), status, index + 1, str(STEP_STATUS_TEXTS[status])))
    return Progress(
        steps=steps, returned=str(RETURN_LABELS[returned]) if returned else "", withdrawn=withdrawn
    )


@dataclass
class Countdown:
    deadline: Deadline
    text: str
    overdue: bool
    urgent: bool


def countdown(deadline: Deadline, now: datetime) -> Countdown:
    """Return the time left to a deadline: in working days for working-day deadlines, else hours or days."""
    if deadline.workdays is not None:
        left = workdays.workdays_left(now, deadline.due_at)
        if deadline.due_at < now:
            if left < 0:
                text = ngettext("已超期 %(n)s 个工作日", "已超期 %(n)s 个工作日", -left) % {"n": -left}
            else:
                text = _("已超期")
            return Countdown(deadline, text, True, True)
        text = (
            _("今天截止")
            if left == 0
            else ngettext("剩余 %(n)s 个工作日", "剩余 %(n)s 个工作日", left) % {"n": left}
        )
        return Countdown(deadline, text, False, left <= 1)
    seconds = (deadline.due_at - now).total_seconds()
    hours = int(abs(seconds) // 3600)
    if seconds < 0:
        if hours < 48:
            text = ngettext("已超期 %(n)s 小时", "已超期 %(n)s 小时", hours) % {"n": hours}
        else:
            text = ngettext("已超期 %(n)s 天", "已超期 %(n)s 天", hours // 24) % {"n": hours // 24}
        return Countdown(deadline, text, True, True)
    if hours < 48:
        minutes = int(seconds % 3600 // 60)
        text = _("剩余 %(h)s 小时 %(m)s 分") % {"h": hours, "m": minutes}
    else:
        text = ngettext("剩余 %(n)s 天", "剩余 %(n)s 天", hours // 24) % {"n": hours // 24}
    return Countdown(deadline, text, False, hours < 24)


def next_deadline(open_deadlines: list[Deadline], now: datetime) -> Countdown | None:
    """Return the countdown to the earliest open deadline not yet passed, else to the last one missed."""
    ordered = sorted((d for d in open_deadlines if d.closed_at is None), key=lambda d: d.due_at)
    if not ordered:
        return None
    upcoming = [d for d in ordered if d.due_at >= now]
    return countdown(upcoming[0] if upcoming else ordered[-1], now)


def next_step(filing: Filing, returned: str = "", open_deadlines: list[Deadline] = ()) -> str:
    """Return what the service principal must do now, in one sentence that agrees with what is open."""
    if filing.state == State.ENTRY:
        if returned in (Transition.EXPIRE_SMS, Transition.FAIL_SMS):
            return _("重新提交后,请在收到新短信的24小时内完成核验。")
        if returned:
            return _("按退回原因修改信息或材料,检查通过后重新提交。")
        return _("完善信息、上传材料,提交前检查全部通过后提交初审。")
    if filing.state == State.PROVIDER_REVIEW:
        return _("等待服务商初审,请保持电话畅通。")
    if filing.state == State.SMS_VERIFICATION:
        still_open = {d.kind for d in open_deadlines if d.closed_at is None}
        if Deadline.Kind.FACE_CHECK in still_open and Deadline.Kind.SMS_WINDOW not in still_open:
            return _("短信核验已完成。请负责人在时限内完成真实性核验(人脸核验),并在此记录结果。")
        return _("请提醒核验人在24小时内完成工信部短信核验,并在此记录。")
    if filing.state == State.BUREAU_REVIEW:
        return _("等待管局审核,请保持电话畅通,留意管局来电。")
    if filing.state == State.PUBLISHED:
        still_open = {d.kind for d in open_deadlines if d.closed_at is None}
        footer_open = Deadline.Kind.FOOTER_FIX in still_open
        # Open while the registration is owed: closed by the number, or when nothing is online any more.
        owes = Deadline.Kind.PUBLIC_SECURITY in still_open
        if owes and footer_open:
            return _("网站页脚未正确展示备案号:请按页脚检查的结果整改,并在开通后30天内办理公安联网备案。")
        if owes:
            return str(filing.kind.words.publish_todo)
        if footer_open:
            return _("网站页脚未正确展示备案号或公安备案号:请按页脚检查的结果整改,下次检查通过后整改完成。")
        return str(filing.kind.words.finished)
    return _("备案已撤回,无需操作。")


def event_label(event: FilingEvent) -> str:
    return str(EVENT_LABELS.get(event.transition, event.transition))


@dataclass
class ShownPerson:
    pk: int
    name: str
    id_kind: str
    id_number: str
    id_valid_until: object
    mobile: str
    emergency_phone: str
    email: str


def shown_person(person: Person, *, unmasked: bool) -> ShownPerson:
    """Return a person's data as this reader may see it (masked unless they need it)."""
    return ShownPerson(
        pk=person.pk,
        name=person.name,
        id_kind=person.get_id_kind_display(),
        id_number=person.id_number if unmasked else mask_id_number(person.id_number),
        id_valid_until=person.id_valid_until,
        mobile=person.mobile if unmasked else mask_phone(person.mobile),
        emergency_phone=person.emergency_phone if unmasked else mask_phone(person.emergency_phone),
        email=person.email if unmasked else mask_email(person.email),
    )


def fix_url(filing: Filing, field_code: str, object_id: int | None = None) -> str:
    """Return the page and field where the problem named by a reason or a check is fixed."""
    if field_code.startswith("materials"):
        kind = field_code.partition(".")[2]
        return reverse("filings:materials", args=[filing.pk]) + (f"#material-{kind}" if kind else "")
    if field_code == "sms":
        return reverse("filings:sms", args=[filing.pk])
    if not field_code:
        return reverse("filings:edit", args=[filing.pk])
    query = {"focus": field_code}
    if object_id:
        query["obj"] = object_id
    return reverse("filings:edit", args=[filing.pk]) + "?" + urlencode(query)


@dataclass
class MaterialSlot:
    kind: str
    slot: str
    label: str
    required: bool
    person_id: int | None = None
    website_id: int | None = None
    versions: list[Material] = field(default_factory=list)
    kind_anchor: str = ""

    @property
    def latest(self) -> Material | None:
        return self.versions[0] if self.versions else None

    @property
    def status(self) -> str:
        return self.latest.check_status if self.latest else "missing"

    @property
    def anchor(self) -> str:
        return f"material-{self.kind}" + (f"-{self.slot.replace(':', '-')}" if self.slot else "")


def material_slots(filing: Filing) -> list[MaterialSlot]:
    """Return every material the filing needs (and any other it has), each with its versions, newest first."""
    by_slot: dict[tuple[str, str], list[Material]] = {}
    for material in filing.materials.all():
        by_slot.setdefault((material.kind, material.slot), []).append(material)
    for versions in by_slot.values():
        versions.sort(key=lambda m: -m.version)
    slots = []
    for kind, slot, label in checks.required_materials(filing):
        slots.append(_slot(kind, slot, label, True, by_slot.pop((kind, slot), [])))
    for (kind, slot), versions in sorted(by_slot.items()):
        slots.append(_slot(kind, slot, Material.Kind(kind).label, False, versions))
    # Links that name only a kind ("materials.id_front") land on its first slot.
    seen: set[str] = set()
    for material_slot in slots:
        if material_slot.kind not in seen and material_slot.slot:
            material_slot.kind_anchor = f"material-{material_slot.kind}"
        seen.add(material_slot.kind)
    return slots


def _slot(kind: str, slot: str, label: str, required: bool, versions: list[Material]) -> MaterialSlot:
    person_id = int(slot.split(":")[1]) if slot.startswith("person:") else None
    website_id = int(slot.split(":")[1]) if slot.startswith("website:") else None
    return MaterialSlot(kind, slot, str(label), required, person_id, website_id, versions)


def check_summary(material: Material) -> str:
    """Return the failed or warned checks of an upload, each with what to do, as one sentence."""
    parts = [
        f"{say(r, 'message')} {say(r, 'advice')}".strip()
        for r in material.check_results
        if isinstance(r, dict) and r.get("status") in ("fail", "warning")
    ]
    return " ".join(parts)


def province_extra_labels(province) -> list[str]:
    return [str(Material.Kind(k).label) for k in province.extra_materials or [] if k in Material.Kind.values]


def changes_since_return(events: list[FilingEvent]) -> list[dict]:
    """Return the fields changed since the filing was last sent back, field by field, each with the
    value it had when it came back and its value now (fields changed back and forth are left out)."""
    returned_at = max((i for i, e in enumerate(events) if e.transition in RETURN_TRANSITIONS), default=None)
    if returned_at is None:
        return []
    then: dict[str, Any] = {}
    now: dict[str, Any] = {}
    for event in events[returned_at + 1 :]:
        if event.transition != "edit":
            continue
        for change in event.reasons:
            if isinstance(change, dict) and change.get("field"):
                then.setdefault(change["field"], change.get("old"))
                now[change["field"]] = change.get("new")
    return [
        {"label": change_label(field), "old": _shown(then[field]), "new": _shown(now[field])}
        for field in then
        if then[field] != now[field]
    ]


def _shown(value: Any) -> str:
    if value in (None, "", []):
        return "—"
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def change_label(path: str) -> str:
    """Return a reader's name for a changed field's path, e.g. websites.0.domains.1.name → 网站1 · 域名2 · 域名."""
    parts = path.split(".")
    if parts[0] in ("subject", "subject_principal") or len(parts) < 2:
        return field_label(path)
    names, rest = [], parts
    if rest[0] == "websites" and len(rest) > 1 and rest[1].isdigit():
        names.append(_("网站%(n)s") % {"n": int(rest[1]) + 1})
        rest = rest[2:]
        if len(rest) >= 2 and rest[0] in ("domains", "prior_approvals") and rest[1].isdigit():
            label = _("域名%(n)s") if rest[0] == "domains" else _("前置审批%(n)s")
            names.append(label % {"n": int(rest[1]) + 1})
            section = "domain" if rest[0] == "domains" else ""
            rest = rest[2:]
        elif rest and rest[0] == "principal":
            names.append(_("网站负责人"))
            section, rest = "website_principal", rest[1:]
        else:
            section = "website"
        if rest and section:
            names.append(field_label(f"{section}.{rest[0]}").split(" · ")[-1])
        elif rest:
            names.append(str(RELATION_LABELS.get(rest[0], rest[0])))
        return " · ".join(names)
    return str(RELATION_LABELS.get(path, path))


@dataclass
class Decision:
    """A decision on a filing as its principal's inbox shows it: what happened and where to act."""

    title: str
    text: str
    url: str
    action: str
    tone: str  # badge class: "fail" for returns and rejections, "pass" for the rest


def decision(event: FilingEvent) -> Decision:
    """Return how an inbox shows a transition someone made on the reader's filing, with the link to act."""
    filing = event.filing
    url, action, tone = where_to_act(event)
    label = str(RETURN_LABELS.get(event.transition) or event_label(event))
    if event.transition == finish_transition(filing) and filing.kind.words.decision_title:
        label = str(filing.kind.words.decision_title)
    lines = [
        _("阶段:%(from)s → %(to)s") % {"from": event.get_from_state_display() or "-", "to": landed_in(event)},
    ]
    if event.comment:
        lines.append(_("说明:%(comment)s") % {"comment": event.shown_comment})
    lines += [reason_line(r) for r in event.shown_reasons if isinstance(r, dict) and r.get("reason")]
    return Decision(
        title=_("[%(what)s] %(subject)s") % {"what": label, "subject": filing.subject.name},
        text="\n".join(lines),
        url=url,
        action=action,
        tone=tone,
    )
