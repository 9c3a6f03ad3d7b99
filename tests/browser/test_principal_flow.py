"""A service principal's whole round in Chromium: log in, create a filing, upload scans (a 150-dpi one
refused with its reason, a 300-dpi one accepted), checklist failing then passing, submit, a reviewer's
return, fix and resubmit. Screenshots go to var/screenshots/."""

import random
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Page, expect

from filings.formats.identity import make_mobile, make_resident_id, make_uscc
from filings.kinds.states import State
from filings.models import Filing
from filings.services import transitions
from tests import factories, scan_samples

# Transactional (the live server reads committed data), sorted after the plain database tests.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


UNLABELLED_CONTROLS = """() => Array.from(document.querySelectorAll("input, select, textarea, button"))
  .filter(el => el.type !== "hidden" && !el.closest("template"))
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute("aria-label"))
  .filter(el => !(el.tagName === "BUTTON" && el.textContent.trim()))
  .map(el => el.outerHTML.slice(0, 120))"""


def assert_every_control_labelled(page: Page) -> None:
    assert page.evaluate(UNLABELLED_CONTROLS) == [], page.url


def upload_in_slot(page: Page, slot_text: str, path: Path) -> None:
    slot = page.locator("li.slot", has_text=slot_text).first
    slot.locator("input[type=file]").set_input_files(str(path))
    slot.get_by_role("button", name="上传", exact=True).click()
    page.wait_for_load_state()


def test_principal_round_trip(page: Page, live_server, tmp_path, reviewer):
    rng = random.Random(7)
    principal = factories.principal_user(username="zhang-wei", display_name="张伟")
    uscc = make_uscc(rng, "44")
    today = timezone.localdate()
    page.set_viewport_size(DESKTOP)

    # Log in: the principal lands on "my filings".
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("zhang-wei")
    page.get_by_label("密码").fill("pass-1234")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="我的备案")).to_be_visible()

    # A new first filing in Guangdong.
    page.get_by_role("link", name="新建备案").first.click()
    page.get_by_label("备案省份").select_option("44")
    page.get_by_role("button", name="下一步").click()
    expect(page.get_by_text("广东管局的要求")).to_be_visible()
    page.locator("#id_subject-kind").select_option("enterprise")
    page.locator("#id_subject-name").fill("广州市云帆信息技术有限公司")
    page.locator("#id_subject-certificate_kind").select_option("uscc")
    page.locator("#id_subject-certificate_number").fill(uscc)
    page.locator("#id_subject-licence_long_term").check()
    page.locator("#id_subject-city").fill("广州市")
    page.locator("#id_subject-registered_address").fill("广东省广州市天河区体育西路1号")
    page.locator("#id_subject-postal_address").fill("广东省广州市天河区体育西路1号")
    page.locator("#id_subject-legal_representative").fill("李云帆")
    page.locator("#id_subject_principal-name").fill("李云帆")
    page.locator("#id_subject_principal-id_number").fill(make_resident_id(rng, "44"))
    page.locator("#id_subject_principal-mobile").fill(make_mobile(rng))
    page.locator("#id_subject_principal-emergency_phone").fill(make_mobile(rng))
    # The website principal's fields stay hidden while "same person" is ticked.
    expect(page.locator("#id_websites-0-principal-name")).to_be_hidden()
    page.locator("#id_websites-0-name").fill("云帆产品介绍")
    page.locator("#id_websites-0-homepage").fill("https://www.yunfan-demo.cn/")
    page.locator("#id_websites-0-server_provider").fill("广州云计算有限公司")
    page.locator("#id_websites-0-server_valid_until").fill((today + timedelta(days=365)).isoformat())
    page.locator("#id_websites-0-domains-0-name").fill("yunfan-demo.cn")
    page.locator("#id_websites-0-domains-0-registrant_name").fill("广州市云帆信息技术有限公司")
    page.locator("#id_websites-0-domains-0-registrant_certificate_number").fill(uscc)
    page.locator("#id_websites-0-domains-0-real_name_verified_at").fill(
        (today - timedelta(days=20)).isoformat()
    )
    # A second domain through "add another", left blank: a blank extra row is ignored.
    page.get_by_role("button", name="添加域名").click()
    expect(page.locator("#id_websites-0-domains-1-name")).to_be_visible()
    shoot(page, "filing-form-desktop.png")
    assert_every_control_labelled(page)
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_role("heading", name="材料", exact=True)).to_be_visible()
    filing = Filing.objects.get(assignee=principal)
    assert filing.websites.get().domains.count() == 1

    # A 150-dpi licence scan is refused with its reason; a 300-dpi one is accepted.
    low = tmp_path / "licence-150.jpg"
    low.write_bytes(scan_samples.licence_scan(dpi=150))
    good = tmp_path / "licence-300.jpg"
    good.write_bytes(scan_samples.licence_scan(dpi=300))
    upload_in_slot(page, "营业执照", low)
    expect(page.locator(".messages li.error")).to_contain_text("300 dpi")
    expect(page.locator("li.slot", has_text="营业执照").first.locator(".check-results")).to_contain_text(
        "300"
    )
    upload_in_slot(page, "营业执照", good)
    expect(page.locator(".messages li.success")).to_contain_text("检查通过")

    # The checklist fails while materials are missing; Submit is disabled.
    page.get_by_role("link", name="提交前检查").first.click()
    expect(page.locator(".summary.bad")).to_be_visible()
    expect(page.locator(".check-item.fail").first).to_be_visible()
    expect(page.get_by_role("button", name="提交")).to_be_disabled()
    shoot(page, "checklist-failing.png")
    assert_every_control_labelled(page)

    # Upload the principal's ID card sides and Guangdong's pledge and construction plan.
    page.goto(f"{live_server.url}/filings/{filing.pk}/materials/")
    id_front = tmp_path / "id-front.jpg"
    id_front.write_bytes(scan_samples.licence_scan(dpi=300, kind="id_front"))
    id_back = tmp_path / "id-back.jpg"
    id_back.write_bytes(scan_samples.licence_scan(dpi=300, kind="id_back"))
    pledge = tmp_path / "pledge.pdf"
    pledge.write_bytes(scan_samples.pdf_bytes())
    upload_in_slot(page, "身份证人像面", id_front)
    upload_in_slot(page, "身份证国徽面", id_back)
    upload_in_slot(page, "承诺书", pledge)
    upload_in_slot(page, "建设方案书", pledge)
    shoot(page, "materials-desktop.png")
    assert_every_control_labelled(page)

    # Each principal's face check (done in the provider's app) is recorded from the checklist.
    page.get_by_role("link", name="提交前检查").first.click()
    record = page.get_by_role("button", name="记录人脸核验通过")
    expect(record.first).to_be_visible()
    while record.count():
        record.first.click()

    # Now everything passes and the filing is submitted.
    expect(page.locator(".summary.ok")).to_be_visible()
    page.get_by_label("提交说明").fill("首次提交")
    page.get_by_role("button", name="提交").click()
    expect(page.locator(".messages li.success")).to_contain_text("已提交服务商初审")
    expect(page.locator('.progress [aria-current="step"]')).to_contain_text("服务商初审")
    filing.refresh_from_db()
    assert filing.state == State.PROVIDER_REVIEW

    # A reviewer returns it with a reason naming the website name.
    transitions.return_filing(
        filing,
        by=reviewer,
        comment="网站名称需修改",
        reasons=[
            {
                "field": "website.name",
                "reason": "网站名称与网站内容不符",
                "suggested_fix": "名称应反映网站的实际内容",
                "code": "website_name_mismatch",
            }
        ],
    )

    # The principal sees the return plainly, follows the reason to the field, fixes and resubmits.
    page.goto(f"{live_server.url}/filings/")
    expect(page.get_by_text("已退回:服务商初审退回")).to_be_visible()
    page.get_by_role("link", name="广州市云帆信息技术有限公司").click()
    expect(page.locator("#reasons")).to_contain_text("网站名称与网站内容不符")
    page.locator("#reasons").get_by_role("link", name=re.compile("去修改")).click()
    name_field = page.locator("#id_websites-0-name")
    expect(name_field).to_be_focused()
    expect(page.locator(".field.attention")).to_contain_text("网站名称与网站内容不符")
    name_field.fill("云帆软件产品介绍")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator(".summary.ok")).to_be_visible()
    page.get_by_label("提交说明").fill("已按退回意见修改网站名称")
    page.get_by_role("button", name="重新提交").click()
    expect(page.locator(".messages li.success")).to_contain_text("已提交服务商初审")
    filing.refresh_from_db()
    assert filing.state == State.PROVIDER_REVIEW and filing.round == 2
    assert list(filing.events.filter(transition="submit").values_list("comment", flat=True)) == [
        "首次提交",
        "已按退回意见修改网站名称",
    ]
    expect(page.locator(".timeline")).to_contain_text("网站名称与网站内容不符")
    expect(page.locator(".timeline")).to_contain_text("第2轮")
    shoot(page, "filing-detail.png")
    assert_every_control_labelled(page)

    # The same pages on a phone-sized screen.
    page.set_viewport_size(PHONE)
    page.reload()
    shoot(page, "filing-detail-phone.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for path, name in [
        ("/filings/", "list-phone.png"),
        (f"/filings/{filing.pk}/materials/", "materials-phone.png"),
        (f"/filings/{filing.pk}/checklist/", "checklist-phone.png"),
        ("/filings/new/?filing_type=first&province=44", "form-phone.png"),
    ]:
        page.goto(live_server.url + path)
        shoot(page, name)
        assert_every_control_labelled(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
