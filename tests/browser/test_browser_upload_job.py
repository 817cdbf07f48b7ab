"""Real Chromium (#13, item 7): an analyst uploads a JSON Lines file of more than 1 MB on the
upload page; the import runs as a background job and the browser lands on the job's page, which
shows the result and the per-item report to download. Screenshot: test-output/upload-job.png."""

import json

import pytest
from playwright.sync_api import expect

from statements.models import Article, Job
from tests.browser.test_browser_workflow import sign_in
from tests.factories import ProjectFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PARAGRAPH = "The delegations met again in Geneva and talked until late into the night. " * 15


def test_a_big_upload_goes_to_a_job_and_the_browser_follows_it(new_context, live_server, artifacts_dir):
    project = ProjectFactory(name="Big week", slug="big-week")
    analyst = UserFactory(username="una", role="analyst", role__project=project)
    lines = "\n".join(json.dumps({"title": f"Report {i}", "text": f"{i}. {PARAGRAPH}"}) for i in range(1000))
    assert len(lines.encode()) > 1024 * 1024

    page = sign_in(new_context, analyst)
    page.goto(f"/projects/{project.slug}/upload/")
    page.locator("#upload-files").set_input_files(
        [{"name": "week.jsonl", "mimeType": "application/x-ndjson", "buffer": lines.encode()}]
    )
    page.get_by_role("button", name="Upload and import").click()
    page.wait_for_url("**/jobs/*/")
    job = Job.objects.get()
    assert page.url.endswith(job.get_absolute_url())
    expect(page.locator(".job-status")).to_have_text("Done")
    expect(page.locator(".job-result")).to_contain_text("1000")
    expect(page.get_by_role("link", name="Download import-report.json")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "upload-job.png"))
    assert Article.objects.filter(project=project).count() == 1000
