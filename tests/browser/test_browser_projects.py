"""Real Chromium (issue 9, "Tests"): a lead who is an instance administrator creates a project,
uploads three .txt files into it, adds an analyst; the analyst signs in, sees only that project,
annotates a quote with the mouse and the keyboard, and presses "Next document".

Each person has their own browser context (own session). Screenshots: test-output/projects-*.png.
"""

import re

import pytest
from playwright.sync_api import expect

from statements.models import Article, Membership, Project, Role, Statement
from tests.browser.test_browser_annotate import drag_select
from tests.browser.test_browser_workflow import sign_in
from tests.factories import ArticleFactory, ProjectFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUOTE = "We agree with the proposals to cease hostilities"
FILES = [  # undated: the project page lists the newest upload first, so Putin's comes first
    ("kyiv_doubts.txt", 'KYIV: "We have heard such promises before," the foreign minister said.'),
    ("trump_reacts.txt", 'WASHINGTON: Trump called the statement "very promising" on Friday.'),
    ("putin_answers.txt", f'MOSCOW: "{QUOTE}," Putin told reporters on Thursday.'),
]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}}


def test_a_lead_sets_up_a_project_and_an_analyst_works_in_it(new_context, live_server, artifacts_dir):
    ada = UserFactory(username="ada", first_name="Ada", last_name="Admin", is_superuser=True, role__none=True)
    nadia = UserFactory(username="nadia", first_name="Nadia", last_name="Nour", role__none=True)
    elsewhere = ProjectFactory(name="Sanctions year", slug="sanctions-year")
    ArticleFactory(project=elsewhere, title="Not for Nadia")

    # The lead creates the project on the projects home.
    lead_page = sign_in(new_context, ada)
    lead_page.get_by_role("link", name="Projects", exact=True).click()
    lead_page.get_by_label("Name").fill("Ceasefire week")
    lead_page.get_by_label("Description").fill("A week of ceasefire coverage")
    lead_page.get_by_role("button", name="Create project").click()
    project = Project.objects.get(name="Ceasefire week")
    lead_page.wait_for_url(f"**{project.get_absolute_url()}")
    expect(lead_page.get_by_role("heading", level=1)).to_contain_text("Ceasefire week")

    # Uploads three .txt files: a result row each, with a progress bar while sending.
    lead_page.get_by_role("link", name="Upload articles").click()
    lead_page.wait_for_url("**/upload/")
    lead_page.wait_for_load_state()  # upload.js listening (a click can come before it runs)
    lead_page.locator("#upload-files").set_input_files(
        [{"name": name, "mimeType": "text/plain", "buffer": text.encode()} for name, text in FILES]
    )
    lead_page.get_by_role("button", name="Upload and import").click()
    result = lead_page.locator("#upload-result")
    expect(result).to_contain_text("3 created, 0 already there")
    expect(result.locator(".outcome-created")).to_have_count(3)
    expect(lead_page.locator("[data-upload-bar]")).to_have_attribute("value", "100")
    lead_page.screenshot(path=str(artifacts_dir / "projects-upload.png"))
    assert sorted(Article.objects.filter(project=project).values_list("title", flat=True)) == [
        "kyiv doubts",
        "putin answers",
        "trump reacts",
    ]

    # Adds the analyst on the members page.
    lead_page.goto(project.get_absolute_url())
    lead_page.get_by_role("link", name="Members", exact=True).click()
    lead_page.get_by_label("User name").first.fill("nadia")
    lead_page.get_by_role("button", name="Add member").click()
    expect(lead_page.locator("#members")).to_contain_text("Nadia Nour")
    lead_page.screenshot(path=str(artifacts_dir / "projects-members.png"), full_page=True)
    assert Membership.objects.get(project=project, user=nadia).role == Role.ANALYST

    # The analyst signs in and sees only that project and its articles.
    page = sign_in(new_context, nadia)
    expect(page.locator("#results")).not_to_contain_text("Not for Nadia")
    page.get_by_role("link", name="Projects", exact=True).click()
    expect(page.locator(".project-card")).to_have_count(1)
    expect(page.locator(".project-card")).to_contain_text("Ceasefire week")
    expect(page.locator("body")).not_to_contain_text("Sanctions year")
    page.screenshot(path=str(artifacts_dir / "projects-home.png"))
    page.locator(".project-card").get_by_role("link", name="Ceasefire week", exact=True).click()
    page.wait_for_url(f"**{project.get_absolute_url()}")
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.locator(".progress-pill.p-not_started")).to_have_count(6)  # hers and the team's
    page.screenshot(path=str(artifacts_dir / "projects-project.png"))

    # Opens the first document, annotates a quote.
    ordered = list(Article.objects.filter(project=project).order_by("-id"))
    target = ordered[0]
    assert QUOTE in target.text
    expect(rows.first).to_contain_text(target.title)
    rows.first.get_by_role("link", name=target.title, exact=True).click()
    page.wait_for_url(f"**{target.get_absolute_url()}")
    drag_select(page, QUOTE)
    expect(page.locator("#tagger [data-quote]")).to_have_text(QUOTE)
    page.keyboard.press("1")
    expect(page.locator("#new-stance-support")).to_be_checked()
    page.keyboard.press("Enter")
    expect(page.locator("#tagger")).to_be_hidden()
    statement = Statement.objects.get(article=target)
    assert (statement.quote, statement.stance, statement.annotator) == (QUOTE, "support", nadia)
    expect(page.locator(f'#article-text mark[data-ids~="{statement.pk}"]').first).to_have_class(
        re.compile(r"\bs-support\b")
    )
    page.screenshot(path=str(artifacts_dir / "projects-annotate.png"))

    # Presses "Next document": the next one in the project page's order.
    following = ordered[1]
    page.get_by_role("link", name="Next document →").click()
    page.wait_for_url(f"**{following.get_absolute_url()}")
    expect(page.get_by_role("heading", level=1)).to_have_text(following.title)
    # and the project page now shows her progress on the document she annotated
    page.goto(project.get_absolute_url())
    row = page.locator("#results tbody tr", has=page.get_by_role("link", name=target.title, exact=True))
    expect(row.locator(".progress-pill").first).to_have_text("In progress")
