"""English translations: the catalogue is complete and consistent, and real pages answer in the chosen language."""

import ast
import gettext
import io
import json
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from filings.exceptions import TransitionNotPossible
from filings.models import Deadline, Filing, Person, Subject
from filings.rules.checks import load_filing_for_checks, run_submission_checks
from filings.rules.footer import check_footer
from filings.rules.scans import UploadRejected, inspect_upload
from filings.rules.workdays import SHANGHAI
from filings.services import dispatch
from filings.web.views.display import countdown
from tests.scan_samples import licence_scan
from tests.test_api import LIST, payload, post_json
from tests.test_footer import ICP, server  # noqa: F401 - the local page server fixture

LOCALE_DIR = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PO_PATH = LOCALE_DIR / "django.po"
MO_PATH = LOCALE_DIR / "django.mo"
PLACEHOLDER = re.compile(r"(?<!%)%(?:\(\w+\))?[sdif]|\{\w*\}")  # %(name)s, bare %s, {name}
CJK = re.compile(r"[\u3400-\u9fff\uff01-\uff1f\u3001-\u3011]")
BAD_USCC = "91110108551385082A"  # right shape, wrong check character


def parse_po(path: Path) -> list[dict]:
    """Read a .po file into entries: flags, msgctxt, msgid, msgid_plural and msgstr forms."""
    entries: list[dict] = []
    entry: dict = {}
    key = None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if "msgid" in entry:
                entries.append(entry)
            entry, key = {}, None
        elif line.startswith("#~"):
            entry["obsolete"] = True
        elif line.startswith("#,"):
            entry.setdefault("flags", set()).update(f.strip() for f in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            if key[0] == "msgstr":
                entry["msgstr"][key[1]] += ast.literal_eval(line)
            else:
                entry[key[0]] += ast.literal_eval(line)
        else:
            keyword, _, value = line.partition(" ")
            match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            if keyword == "msgstr" or match:
                key = ("msgstr", int(match.group(1)) if match else 0)
                entry.setdefault("msgstr", {})[key[1]] = ast.literal_eval(value)
            else:
                key = (keyword,)
                entry[keyword] = ast.literal_eval(value)
    return [e for e in entries if not e.get("obsolete")]


@pytest.fixture(scope="module")
def catalogue() -> list[dict]:
    entries = parse_po(PO_PATH)
    assert len(entries) > 500, "the English catalogue looks truncated"
    return entries


def messages(catalogue: list[dict]) -> list[dict]:
    return [e for e in catalogue if e["msgid"]]


def test_catalogue_has_no_empty_and_no_fuzzy_entry(catalogue):
    header = next(e for e in catalogue if e["msgid"] == "")
    assert "fuzzy" not in header.get("flags", set())
    assert "Language: en" in header["msgstr"][0]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header["msgstr"][0]
    fuzzy = [e["msgid"] for e in messages(catalogue) if "fuzzy" in e.get("flags", set())]
    empty = [e["msgid"] for e in messages(catalogue) if not all(e["msgstr"].values())]
    assert not fuzzy, fuzzy
    assert not empty, empty
    plurals = [e for e in messages(catalogue) if "msgid_plural" in e]
    assert plurals and all(sorted(e["msgstr"]) == [0, 1] for e in plurals)


def test_parse_po_tells_a_wrapped_msgstr_from_an_empty_one(tmp_path):
    """A long translation starts with `msgstr ""` and goes on in continuation lines: that is not empty."""
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: en\\n"\n\n'
        '#: a.py:1\nmsgid "很长的说明%(n)s"\nmsgstr ""\n"A long explanation "\n"of %(n)s."\n\n'
        'msgid "空"\nmsgstr ""\n\n'
        '#, fuzzy, python-format\nmsgid "旧%s"\nmsgstr "Old %s"\n\n'
        'msgid "%(n)s 天"\nmsgid_plural "%(n)s 天"\nmsgstr[0] "1 day"\nmsgstr[1] ""\n\n'
        '#~ msgid "废弃"\n#~ msgstr ""\n',
        encoding="utf-8",
    )
    entries = {e["msgid"]: e for e in messages(parse_po(po))}
    assert list(entries) == ["很长的说明%(n)s", "空", "旧%s", "%(n)s 天"]  # the obsolete entry is left out
    assert entries["很长的说明%(n)s"]["msgstr"] == {0: "A long explanation of %(n)s."}
    assert [m for m, e in entries.items() if not all(e["msgstr"].values())] == ["空", "%(n)s 天"]
    assert [m for m, e in entries.items() if "fuzzy" in e.get("flags", set())] == ["旧%s"]
    assert PLACEHOLDER.findall("旧%s, 100%%s, %(n)d, {h}") == ["%s", "%(n)d", "{h}"]


def test_every_placeholder_survives_translation(catalogue):
    wrong = []
    for e in messages(catalogue):
        wanted = sorted(PLACEHOLDER.findall(e["msgid"]))
        for n, text in e["msgstr"].items():
            got = sorted(PLACEHOLDER.findall(text))
            # A singular form may say "1 …" instead of repeating %(n)s; every other form keeps them all.
            if got != wanted and not (n == 0 and "msgid_plural" in e and set(got) <= set(wanted)):
                wrong.append((e["msgid"], text))
    assert not wrong, wrong


def test_translations_are_english(catalogue):
    # Chinese may stay only where the msgid shows a literal Chinese example (an ICP or public-security number).
    examples = ["粤ICP备2023012345号", "京公网安备11010502030143号", "粤"]  # longest first
    leftover = []
    for e in messages(catalogue):
        for text in e["msgstr"].values():
            rest = text
            for example in examples:
                rest = rest.replace(example, "")
            if CJK.search(rest):
                leftover.append((e["msgid"], text))
    assert not leftover, leftover


def test_compiled_catalogue_matches_the_po_file(catalogue):
    """The committed .mo is what Django serves; it must hold exactly what the .po says."""
    with MO_PATH.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for e in messages(catalogue):
        msgid = e["msgid"] if "msgctxt" not in e else f"{e['msgctxt']}\x04{e['msgid']}"
        if "msgid_plural" in e:
            forms = [compiled.ngettext(msgid, e["msgid_plural"], n) for n in (1, 2)]
            if forms != [e["msgstr"][0], e["msgstr"][1]]:
                stale.append(e["msgid"])
        elif compiled.gettext(msgid) != e["msgstr"][0]:
            stale.append(e["msgid"])
    assert not stale, f"run manage.py compilemessages: {stale[:10]}"


def text_nodes(html: str) -> set[str]:
    """The visible text pieces of a page (between tags), stripped."""
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return {t.strip() for t in re.findall(r">([^<>]+)<", html) if t.strip()}


@pytest.mark.django_db
def test_login_page_answers_in_the_browsers_language():
    english = Client().get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "Log in to the ICP filing console" in english
    assert "Username" in english and "Password" in english
    assert '<html lang="en"' in english or 'lang="en"' in english
    assert "登录备案控制台" not in english
    chinese = Client().get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").content.decode()
    assert "登录备案控制台" in chinese and "Log in to the ICP filing console" not in chinese
    default = Client().get(reverse("accounts:login")).content.decode()
    assert "登录备案控制台" in default  # Chinese first


@pytest.mark.django_db
def test_api_validation_error_follows_accept_language(api, principal):
    client = api(principal)
    body = payload(certificate_number=BAD_USCC)
    english = post_json(client, LIST, body, HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 400
    message = " ".join(english.json()["subject"]["certificate_number"])
    assert "check character is wrong" in message and not CJK.search(message)
    chinese = post_json(client, LIST, body, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert chinese.status_code == 400
    assert "校验位不正确" in " ".join(chinese.json()["subject"]["certificate_number"])
    assert Filing.objects.count() == 0 and Subject.objects.count() == 0


@pytest.mark.django_db
def test_check_messages_are_translated(filing):
    person = filing.subject_principal
    Person.objects.filter(pk=person.pk).update(emergency_phone=person.mobile)
    with translation.override("en"):
        checklist = run_submission_checks(load_filing_for_checks(filing.pk))
        failure = next(r for r in checklist.failures if r.code == "emergency_phone_distinct")
        passed = [r for r in checklist.results if r.status == "pass"]
    assert (
        failure.message
        == f"The emergency phone of {person.name} must differ from the principal's mobile number."
    )
    assert failure.fix == "Enter another number where they can be reached."
    data = [person.name, filing.subject.name, filing.province.name, filing.province.short_name]
    data += [w.name for w in filing.websites.all()]
    leftover = []
    for result in passed:
        text = result.message
        for value in sorted(data, key=len, reverse=True):
            text = text.replace(value, "")
        if CJK.search(text):
            leftover.append(result.message)
    assert passed and not leftover, leftover
    with translation.override("zh-hans"):
        checklist = run_submission_checks(load_filing_for_checks(filing.pk))
        failure = next(r for r in checklist.failures if r.code == "emergency_phone_distinct")
    assert failure.message == f"{person.name}的应急电话不能与负责人手机号相同。"


def logged_in(user, language: str | None = None) -> Client:
    client = Client()
    client.force_login(user)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.mark.django_db
def test_principal_console_pages_answer_in_english_after_switching(filing):
    client = logged_in(filing.assignee)
    chinese = client.get(reverse("filings:list")).content.decode()
    assert "我的备案" in chinese and "新建备案" in chinese
    # The language switch in base.html posts to set_language, which sets the cookie.
    switched = client.post(reverse("set_language"), {"language": "en", "next": reverse("filings:list")})
    assert switched.status_code == 302
    english = client.get(reverse("filings:list")).content.decode()
    assert "My filings" in english and "New filing" in english and "Next step" in english
    assert "Log out" in english and "Entry" in english  # the stage names in the progress bar
    # No piece of text the Chinese page took from the catalogue is left in Chinese on the English page.
    catalogue_ids = {e["msgid"] for e in messages(parse_po(PO_PATH))}
    untranslated = (text_nodes(english) & text_nodes(chinese)) & catalogue_ids
    assert not untranslated, untranslated


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["filings:detail", "filings:checklist", "filings:materials", "filings:edit"])
def test_filing_pages_have_no_chinese_interface_text_in_english(filing, page):
    chinese = logged_in(filing.assignee).get(reverse(page, args=[filing.pk]))
    english = logged_in(filing.assignee, "en").get(reverse(page, args=[filing.pk]))
    assert chinese.status_code == english.status_code == 200
    catalogue_ids = {e["msgid"] for e in messages(parse_po(PO_PATH))}
    zh_nodes, en_nodes = text_nodes(chinese.content.decode()), text_nodes(english.content.decode())
    assert zh_nodes & catalogue_ids, "the Chinese page should show catalogue strings"
    untranslated = en_nodes & catalogue_ids
    assert not untranslated, untranslated


def test_review_and_api_strings_switch_with_activate():
    with translation.override("en"):
        from filings.kinds.states import State

        assert str(State.BUREAU_REVIEW.label) == "Bureau review"
        assert json.dumps([str(State.ENTRY.label)]) == '["Entry"]'
    with translation.override("zh-hans"):
        assert str(State.BUREAU_REVIEW.label) == "管局审核"


@pytest.mark.django_db
def test_transition_names_follow_the_request_language(filing):
    """Transition labels are read per request: the timeline and a refusal name the step in English."""
    dispatch.perform_transition(filing, "submit", by=filing.assignee)
    english = (
        logged_in(filing.assignee, "en").get(reverse("filings:detail", args=[filing.pk])).content.decode()
    )
    assert "Submit for pre-review" in text_nodes(english)
    chinese = logged_in(filing.assignee).get(reverse("filings:detail", args=[filing.pk])).content.decode()
    assert "提交初审" in text_nodes(chinese)
    with translation.override("en"), pytest.raises(TransitionNotPossible) as refusal:
        dispatch.perform_transition(Filing.objects.get(pk=filing.pk), "submit", by=filing.assignee)
    assert '"Submit for pre-review" is not possible' in str(refusal.value)


def test_alert_texts_and_severity_are_translated():
    from filings.models.alerts import ACTION_TEXTS, DEFAULT_ACTION, Severity

    with translation.override("en"):
        texts = [str(text) for text in [*ACTION_TEXTS.values(), DEFAULT_ACTION]]
        assert not [text for text in texts if CJK.search(text)]
        # "提醒" is both the nav item (alerts) and the lowest severity; the severity has its own context.
        assert Severity.NOTICE.label == "Notice"
        assert translation.gettext("提醒") == "Alerts"
    with translation.override("zh-hans"):
        assert Severity.NOTICE.label == "提醒"
        assert str(DEFAULT_ACTION) == "请尽快处理该备案。"


def test_footer_problems_and_scan_messages_follow_the_active_language(server):  # noqa: F811
    with translation.override("en"):
        missing = check_footer(
            server.base + "/missing", expected_icp=ICP, allow_private_hosts=True, timeout=5
        )
        refused = check_footer("http://127.0.0.1/", expected_icp=ICP, allow_private_hosts=False)
        scan = inspect_upload(io.BytesIO(licence_scan()), material_kind="business_licence")
        with pytest.raises(UploadRejected) as empty:
            inspect_upload(io.BytesIO(b""), material_kind="business_licence")
        separator = translation.pgettext("list separator", "、")
    assert missing.problems == [
        f"The page does not show the ICP number {ICP}; the ICP number on the page is 粤ICP备2023012345号-2."
    ]
    assert refused.problems == [
        "The website could not be reached: 127.0.0.1 is not a public address, access refused."
    ]
    assert {c.code: c.message for c in scan.checks}["type"] == "File type: JPG image."
    assert not [c.message for c in scan.checks if CJK.search(c.message)]
    assert str(empty.value) == "The file is empty. Choose another one."
    assert separator == ", "
    with translation.override("zh-hans"):
        refused = check_footer("http://127.0.0.1/", expected_icp=ICP, allow_private_hosts=False)
        scan = inspect_upload(io.BytesIO(licence_scan()), material_kind="business_licence")
    assert refused.problems == ["无法访问网站:127.0.0.1 不是公网地址,已拒绝访问。"]
    assert {c.code: c.message for c in scan.checks}["type"] == "文件类型为 JPG 图片。"


def test_countdown_counts_in_english_plurals():
    now = datetime(2026, 11, 28, 12, 0, tzinfo=SHANGHAI)
    with translation.override("en"):
        one_hour = countdown(Deadline(due_at=now - timedelta(hours=1, minutes=5)), now).text
        three_days = countdown(Deadline(due_at=now + timedelta(days=3, hours=1)), now).text
    assert (one_hour, three_days) == ("Overdue by 1 hour", "3 days left")


EXTRACTED_NAMES = {
    "_",
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "npgettext_lazy",
}
EAGER_NAMES = {"gettext", "ngettext", "pgettext", "npgettext"}


def source_modules():
    root = Path(settings.BASE_DIR)
    for folder in ("accounts", "config", "filings"):
        for path in sorted((root / folder).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path, ast.parse(path.read_text(encoding="utf-8"))


def test_translation_functions_go_by_names_makemessages_extracts():
    odd = []
    for path, tree in source_modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
                odd += [
                    f"{path.name}: {a.name} as {a.asname}"
                    for a in node.names
                    if a.asname and a.asname not in EXTRACTED_NAMES
                ]
    assert not odd, odd


def test_no_text_is_translated_once_at_import():
    """A gettext (not _lazy) call in a module- or class-level assignment freezes the language of the import."""
    frozen = []
    for path, tree in source_modules():
        eager = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
                eager |= {a.asname or a.name for a in node.names if a.name in EAGER_NAMES}
        assignments = []
        bodies = [tree.body]
        while bodies:
            for stmt in bodies.pop():
                if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
                    assignments.append(stmt)
                elif isinstance(stmt, ast.ClassDef):
                    bodies.append(stmt.body)
        for stmt in assignments:
            for node in ast.walk(stmt):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in eager:
                    frozen.append(f"{path.name}:{node.lineno}")
    assert not frozen, frozen
