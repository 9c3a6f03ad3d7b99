"""The bureau package on the staff pages and in the API: one click or call builds it, a reviewer downloads
it, a failing checklist is refused with what is missing, and no one else reaches it."""

import io
import zipfile

import pytest
from django.urls import reverse

from filings.models import BureauPackage, Material
from filings.services import packages
from tests import factories
from tests.test_packages import in_review

pytestmark = [pytest.mark.postgres, pytest.mark.django_db, pytest.mark.usefixtures("file_storage")]


@pytest.fixture
def filing(reviewer):
    return in_review("44", reviewer=reviewer)


def test_one_click_on_the_review_page_builds_a_package_the_reviewer_downloads(client_for, filing, reviewer):
    client = client_for(reviewer)
    page = client.get(reverse("filings:review-filing", args=[filing.pk])).content.decode()
    build_url = reverse("filings:packages", args=[filing.pk])
    assert f'action="{build_url}"' in page and "生成管局材料包" in page
    detail = client.get(reverse("filings:detail", args=[filing.pk])).content.decode()
    assert f'action="{build_url}"' in detail

    response = client.post(build_url)
    assert response.status_code == 302 and response["Location"] == build_url
    package = BureauPackage.objects.get(filing=filing)
    assert (package.status, package.requested_by, package.province_code) == ("pending", reviewer, "44")
    waiting = client.get(build_url).content.decode()
    assert "排队中" in waiting and 'http-equiv="refresh"' in waiting

    packages.run_package(package.pk)
    done = client.get(build_url).content.decode()
    download = reverse("filings:package-download", args=[package.pk])
    assert f'href="{download}"' in done and 'http-equiv="refresh"' not in done
    assert "01-主体证件.jpg" in done
    response = client.get(download)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="beian-')
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.namelist()[:2] == ["00-封面.pdf", "01-主体证件.jpg"]


def test_a_failing_checklist_is_refused_on_the_page_naming_what_is_missing(client_for, filing, reviewer):
    Material.objects.filter(filing=filing, kind="pledge").delete()
    response = client_for(reviewer).post(reverse("filings:packages", args=[filing.pk]))
    assert response.status_code == 400
    page = response.content.decode()
    assert "检查清单未通过,不能生成管局材料包" in page and "缺少广东要求的互联网信息服务备案承诺书" in page
    assert not BureauPackage.objects.exists()


def test_a_draft_shows_no_build_button_and_is_refused(client_for, reviewer):
    draft = factories.ready_filing()
    client = client_for(reviewer)
    page = client.get(reverse("filings:packages", args=[draft.pk])).content.decode()
    assert "提交初审后才能生成管局材料包" in page
    response = client.post(reverse("filings:packages", args=[draft.pk]))
    assert response.status_code == 409 and "提交初审后才能生成管局材料包" in response.content.decode()


def test_only_reviewers_reach_the_pages_and_the_download(
    client_for, filing, reviewer, manager, other_principal
):
    package = packages.run_package(packages.request_package(filing, by=reviewer).pk)
    assert package.status == "done"
    build_url = reverse("filings:packages", args=[filing.pk])
    download = reverse("filings:package-download", args=[package.pk])
    for user in (filing.assignee, other_principal, manager):
        client = client_for(user)
        assert client.post(build_url).status_code == 403
        assert client.get(build_url).status_code == 403
        assert client.get(download).status_code == 404
    # The filing's own principal and a manager see its page, but no package panel.
    for user in (filing.assignee, manager):
        page = client_for(user).get(reverse("filings:detail", args=[filing.pk])).content.decode()
        assert "管局材料包" not in page
    assert BureauPackage.objects.count() == 1


def test_the_api_builds_reads_and_serves_a_package(api, filing, reviewer):
    client = api(reviewer)
    response = client.post(f"/api/v1/filings/{filing.pk}/packages/")
    assert response.status_code == 202, response.content
    body = response.json()
    assert (body["status"], body["filing"], body["items"], body["province_code"]) == (
        "pending",
        filing.pk,
        [],
        "44",
    )
    packages.run_package(body["id"])
    done = client.get(f"/api/v1/packages/{body['id']}/").json()
    assert done["status"] == "done" and done["problems"] == []
    assert done["items"][0]["name"] == "01-主体证件.jpg" and len(done["items"][0]["sha256"]) == 64
    response = client.get(f"/api/v1/packages/{body['id']}/file/")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.namelist()[1:-1] == [i["name"] for i in done["items"]]


def test_the_api_refuses_a_failing_checklist_with_each_problem(api, filing, reviewer):
    Material.objects.filter(filing=filing, kind="construction_plan").delete()
    response = api(reviewer).post(f"/api/v1/filings/{filing.pk}/packages/")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "checks_failed" and any("网站建设方案书" in line for line in body["errors"])


def test_the_api_answers_others_403_or_404(api, filing, reviewer, manager, other_principal):
    package = packages.run_package(packages.request_package(filing, by=reviewer).pk)
    assert api(filing.assignee).post(f"/api/v1/filings/{filing.pk}/packages/").status_code == 403
    assert api(manager).post(f"/api/v1/filings/{filing.pk}/packages/").status_code == 403
    assert api(other_principal).post(f"/api/v1/filings/{filing.pk}/packages/").status_code == 404
    for user in (filing.assignee, other_principal, manager):
        assert api(user).get(f"/api/v1/packages/{package.pk}/").status_code == 404
        assert api(user).get(f"/api/v1/packages/{package.pk}/file/").status_code == 404
    assert api().post(f"/api/v1/filings/{filing.pk}/packages/").status_code in (401, 403)


def test_the_package_page_does_not_link_to_itself_while_the_filing_pages_link_to_it(
    client_for, filing, reviewer
):
    packages.run_package(packages.request_package(filing, by=reviewer).pk)
    client = client_for(reviewer)
    build_url = reverse("filings:packages", args=[filing.pk])
    link = f'<a href="{build_url}">'
    assert link not in client.get(build_url).content.decode()
    for page in ("filings:detail", "filings:review-filing"):
        assert link in client.get(reverse(page, args=[filing.pk])).content.decode()
