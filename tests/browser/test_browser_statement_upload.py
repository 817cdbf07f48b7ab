"""Real Chromium (#12): an analyst imports the Label Studio example on the project's Import
statements page, with unknown speakers added to the registry; the browser lands on the job's
page, which shows it done with the statements counted. Then a broken file: the job's page lists
the problem and nothing is stored. Screenshot: test-output/statement-upload-job.png."""

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from statements.models import Job, Statement
from tests.browser.test_browser_workflow import sign_in
from tests.factories import ProjectFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "formats" / "label_studio_export.json"


def test_an_analyst_imports_statements_and_follows_the_job(new_context, live_server, artifacts_dir):
    project = ProjectFactory(name="Imported study", slug="imported-study")
    analyst = UserFactory(username="ida", role="analyst", role__project=project)
    page = sign_in(new_context, analyst)
    page.goto(f"/projects/{project.slug}/upload/")
    page.get_by_role("link", name="Import statements").click()
    page.locator("#statement-file").set_input_files(
        [{"name": "tasks.json", "mimeType": "application/json", "buffer": EXAMPLE.read_bytes()}]
    )
    page.get_by_label("Add them to the actor registry").check()
    page.get_by_role("button", name="Import", exact=True).click()
    page.wait_for_url("**/jobs/*/")
    job = Job.objects.get()
    assert page.url.endswith(job.get_absolute_url())
    expect(page.locator(".job-status")).to_have_text("Done")
    expect(page.locator(".job-result")).to_contain_text("3")
    page.screenshot(path=str(artifacts_dir / "statement-upload-job.png"))
    assert Statement.objects.filter(article__project=project).count() == 3

    page.goto(f"/projects/{project.slug}/upload/statements/")
    broken = json.dumps({"text": "Too short.", "label": [[0, 80, "support"]]}).encode()
    page.locator("#statement-file").set_input_files(
        [{"name": "broken.jsonl", "mimeType": "application/x-ndjson", "buffer": broken}]
    )
    page.get_by_label("Format").select_option("doccano")
    page.get_by_role("button", name="Import", exact=True).click()
    page.wait_for_url("**/jobs/*/")
    expect(page.locator(".job-status")).to_have_text("Failed")
    expect(page.get_by_text("line 1", exact=False).first).to_be_visible()
    assert Statement.objects.filter(article__project=project).count() == 3
