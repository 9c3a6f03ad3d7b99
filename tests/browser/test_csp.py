"""Every page loads in Chromium under the Content-Security-Policy without a single violation: no
inline script or style anywhere (issue #14)."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser

from accounts.roles import Role
from filings.kinds.states import State
from filings.services import transitions
from tests import factories
from tests.scan_samples import pdf_bytes
from tests.test_transitions import bring_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + e.sourceFile + ':' + e.lineNumber);
});
"""


class Visitor:
    """One signed-in browser context that records every CSP violation of the pages it opens."""

    def __init__(self, browser: Browser, base_url: str):
        self.base_url = base_url
        self.context = browser.new_context(locale="zh-CN")
        self.context.add_init_script(WATCH_VIOLATIONS)
        self.page = self.context.new_page()
        self.console: list[str] = []
        self.page.on(
            "console",
            lambda message: (
                self.console.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )

    def log_in(self, username: str, device: TOTPDevice | None = None) -> None:
        self.page.goto(f"{self.base_url}/accounts/login/")
        self.page.get_by_label("用户名").fill(username)
        self.page.get_by_label("密码").fill("pass-1234")
        self.page.get_by_role("button", name="登录").click()
        if device is not None:
            self.page.wait_for_url("**/accounts/2fa/**")
            self.page.get_by_label("验证码").fill(f"{totp(device.bin_key):06d}")
            self.page.get_by_role("button", name="验证").click()
            self.page.wait_for_load_state("networkidle")

    def visit(self, path: str) -> list[str]:
        response = self.page.goto(f"{self.base_url}{path}", wait_until="networkidle")
        assert response is not None and response.status < 400, (path, response and response.status)
        assert "content-security-policy" in response.all_headers(), path
        found = self.page.evaluate("window.__cspViolations || []") + self.console
        self.console = []
        return [f"{path}: {v}" for v in found]

    def close(self) -> None:
        self.context.close()


def _staff(username: str, role: str) -> tuple:
    user = factories.UserFactory(username=username, role=role)
    return user, TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def test_every_page_loads_without_a_csp_violation(browser: Browser, live_server):
    principal = factories.principal_user(username="csp-principal")
    reviewer, reviewer_device = _staff("csp-reviewer", Role.REVIEWER)
    manager, manager_device = _staff("csp-manager", Role.MANAGER)
    admin, admin_device = _staff("csp-admin", Role.ADMIN)
    admin.is_superuser = True
    admin.save(update_fields=["is_superuser"])
    draft = factories.ready_filing(assignee=principal)
    submitted = transitions.submit_filing(factories.ready_filing(assignee=principal), by=principal)
    published = bring_to(State.PUBLISHED, principal=principal, reviewer=reviewer)
    transitions.return_filing(
        transitions.submit_filing(factories.ready_filing(assignee=principal), by=principal),
        by=reviewer,
        reasons=[{"field": "subject.name", "reason": "名称与执照不符", "suggested_fix": "改为执照上的名称"}],
    )
    material = draft.materials.first()
    # A PDF, so that the reviewer's page embeds one (<object>) as well as images.
    pdf = factories.passing_material(submitted, "business_licence", by=principal)
    pdf.content_type = "application/pdf"
    pdf.file.save("licence.pdf", ContentFile(pdf_bytes()), save=False)
    pdf.save(update_fields=["content_type", "file"])

    violations: list[str] = []
    anonymous = Visitor(browser, live_server.url)
    violations += anonymous.visit("/accounts/login/")
    violations += anonymous.visit("/admin/login/")
    anonymous.close()

    visitor = Visitor(browser, live_server.url)
    visitor.log_in(principal.username)
    for path in [
        "/filings/",
        "/filings/new/",
        "/filings/new/?filing_type=first&province=44",
        reverse("filings:detail", args=[draft.pk]),
        reverse("filings:edit", args=[draft.pk]),
        reverse("filings:materials", args=[draft.pk]),
        reverse("filings:checklist", args=[draft.pk]),
        reverse("filings:detail", args=[submitted.pk]),
        reverse("filings:sms", args=[submitted.pk]),
        reverse("filings:detail", args=[published.pk]),
        "/alerts/",
        "/accounts/password/",
        "/api/docs/",
    ]:
        violations += visitor.visit(path)
    visitor.close()

    visitor = Visitor(browser, live_server.url)
    visitor.log_in(reviewer.username, reviewer_device)
    for path in [
        reverse("filings:review-queue", kwargs={"queue": "provider_review"}),
        reverse("filings:review-queue", kwargs={"queue": "bureau_review"}),
        reverse("filings:review-filing", args=[submitted.pk]),
        reverse("filings:review-filing", args=[published.pk]),
        reverse("filings:material-download", args=[submitted.pk, pdf.pk]),
        reverse("filings:material-download", args=[draft.pk, material.pk]),
    ]:
        violations += visitor.visit(path)
    visitor.close()

    visitor = Visitor(browser, live_server.url)
    visitor.log_in(manager.username, manager_device)
    for path in [
        "/filings/dashboard/",
        "/filings/dashboard/open/",
        "/filings/dashboard/deadlines/overdue/",
        "/filings/dashboard/deadlines/at-risk/",
        "/filings/dashboard/deadlines/provisional/",
    ]:
        violations += visitor.visit(path)
    visitor.close()

    visitor = Visitor(browser, live_server.url)
    visitor.log_in(admin.username, admin_device)
    for path in [
        "/admin/",
        "/admin/filings/filing/",
        f"/admin/filings/filing/{submitted.pk}/change/",
        "/admin/filings/province/",
        "/admin/filings/calendaryear/add/",
        "/admin/accounts/user/",
        f"/admin/accounts/user/{principal.pk}/change/",
        "/admin/axes/accessattempt/",
        "/admin/knox/authtoken/",
    ]:
        violations += visitor.visit(path)
    visitor.close()

    # A staff member enrolling: the QR code page and the backup codes page.
    newcomer = factories.UserFactory(username="csp-newcomer", role=Role.REVIEWER)
    visitor = Visitor(browser, live_server.url)
    visitor.log_in(newcomer.username)
    violations += visitor.visit("/accounts/2fa/setup/")
    device = TOTPDevice.objects.get(user=newcomer, confirmed=False)
    visitor.page.get_by_label("验证码").fill(f"{totp(device.bin_key):06d}")
    visitor.page.get_by_role("button", name="绑定").click()
    visitor.page.wait_for_load_state("networkidle")
    assert visitor.page.get_by_role("heading", name="备用码").is_visible()
    violations += [
        f"backup codes: {v}" for v in visitor.page.evaluate("window.__cspViolations") + visitor.console
    ]
    visitor.close()

    assert violations == []
