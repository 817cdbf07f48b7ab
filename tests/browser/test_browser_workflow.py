"""Real Chromium, end to end (issue 5, "Tests"): a lead assigns two analysts to the seed article;
they annotate it blind (some statements with real mouse drags and keys, the rest through the
services for speed) and do not see each other's work until each marks it finished; Ben requests
changes on one of Amira's statements from the review queue; Amira sees the verdict, edits the
statement and it is pending again with the verdict kept in its history; the lead accepts the
agreed units with g and picks a version for a disagreement; the gold export holds exactly the
adjudicated statements.

The seed annotator's worked annotation (19 statements) stays on the article, but the article
is assigned for double annotation, so the compare page compares only the two assigned analysts
(a unit is agreed when Amira and Ben agree). The plan:

    seed statement                          Amira               Ben                 outcome
    "clarifications and conditions …"       mouse, same         mouse, same         agreed → g
    "who says he wants to be remembered …"  mouse, demand (*)   same                agreed after the edit → g
    'called Putin's statement "very …"'     same                mouse, same         agreed → g
    'he hoped Moscow would "do the …"'      same (demand)       stance caveat       Amira's version picked
    "Russia supported a US proposal …"      same                —                   left to decide
    (*) Ben requests changes; Amira edits the stance to support.

Each user has their own browser context (own session), as four people at four desks would.
Screenshots: test-output/workflow-*.png.
"""

import json
import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from statements import services
from statements.models import Actor, Review, Statement
from tests.browser.test_browser_annotate import drag_select

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEED_ANALYST = "seed-analyst"
X_COMMENT = "Trump describes his own aim here, he demands nothing: support, please."


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}}


def sign_in(new_context, user) -> Page:
    """A fresh browser context (its own cookies) with `user` signed in through the form."""
    page = new_context().new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/articles/**")
    return page


def seed_statement(article, quote: str) -> Statement:
    return Statement.objects.get(article=article, annotator__username=SEED_ANALYST, quote=quote)


def copy_statement(seed: Statement, user, **changes) -> Statement:
    """`user` marks exactly what the seed annotator marked (with `changes`), through the services."""
    data = {
        "start": seed.start,
        "end": seed.end,
        "quote": seed.quote,
        "stance": seed.stance,
        "speaker": seed.speaker_id,
        "addressee": seed.addressee_id,
        "note": seed.note,
        "conditions": [
            {
                "description": c.description,
                "evidence_start": c.evidence_start,
                "evidence_end": c.evidence_end,
                "evidence_quote": c.evidence_quote or None,
            }
            for c in seed.conditions.all()
        ],
    }
    data.update(changes)
    return services.statement_create(article=seed.article, user=user, **data)


def pick_actor(page: Page, role: str, typed: str, name: str) -> None:
    """Type part of a name in a picker of the tagging panel; Enter picks the first match."""
    page.keyboard.type(typed)
    expect(page.locator(f"#new-{role}-options .picker-option").first).to_contain_text(name)
    page.keyboard.press("Enter")
    expect(page.locator(f"#new-{role}-choice .picker-name")).to_have_text(name)


def tag_with_mouse(page: Page, article, user, quote: str, key: str, speaker: tuple, addressee=None):
    """Drag over `quote`, press the stance key, pick the speaker (and the addressee), Enter saves.
    Returns the statement stored."""
    drag_select(page, quote)
    tagger = page.locator("#tagger")
    expect(tagger.locator("[data-quote]")).to_have_text(quote)
    page.keyboard.press(key)
    expect(page.locator("#new-speaker-q")).to_be_focused()
    pick_actor(page, "speaker", *speaker)
    if addressee:
        page.locator("#new-addressee-q").click()
        pick_actor(page, "addressee", *addressee)
    page.keyboard.press("Enter")
    expect(tagger).to_be_hidden()
    statement = Statement.objects.get(article=article, annotator=user, quote=quote)
    expect(page.locator(f"#statement-{statement.pk}")).to_be_visible()
    return statement


def shown_ids(page: Page) -> tuple[set[int], set[int]]:
    """The statements the annotate page shows: (in the side list, highlighted in the text)."""
    listed, marked = page.evaluate(
        """() => {
          const all = (selector) => [...document.querySelectorAll(selector)];
          return [
            all(".statement-list li[data-statement]").map((a) => a.dataset.statement),
            all("#article-text mark[data-ids]").flatMap((m) => m.dataset.ids.split(" ")),
          ];
        }"""
    )
    return {int(i) for i in listed}, {int(i) for i in marked}


def expect_sees_exactly(page: Page, statements) -> None:
    ids = {s.pk for s in statements}
    expect(page.locator(".statement-list li[data-statement]")).to_have_count(len(ids))
    assert shown_ids(page) == (ids, ids)


def test_it_runs_the_review_and_adjudication_workflow_end_to_end(
    new_context, seeded, analyst, other_analyst, lead, artifacts_dir
):
    article = seeded
    amira, ben = analyst, other_analyst
    putin = Actor.objects.get(name="Vladimir Putin")
    trump = Actor.objects.get(name="Donald Trump")
    seed = {
        "clarifications": seed_statement(
            article, "clarifications and conditions that Putin said were needed"
        ),
        "peacemaker": seed_statement(article, "who says he wants to be remembered as a peacemaker"),
        "promising": seed_statement(article, 'called Putin\'s statement "very promising"'),
        "right_thing": seed_statement(article, 'he hoped Moscow would "do the right thing"'),
        "supported": seed_statement(
            article, "Russia supported a US proposal for a ceasefire in Ukraine in principle"
        ),
    }
    seed_all = list(Statement.objects.filter(article=article, annotator__username=SEED_ANALYST))
    assert len(seed_all) == 19

    # ---- 1. The lead assigns both analysts on the Assignments page ------------------------------
    lena_page = sign_in(new_context, lead)
    lena_page.goto(reverse("article_assignments", args=[article.pk]))
    assignments = lena_page.locator("#assignments")
    for analyst_user, heading in [
        (amira, "1 analyst assigned · 0 finished"),
        (ben, "2 analysts assigned · 0 finished"),
    ]:
        lena_page.get_by_label("Assign an analyst").select_option(label=str(analyst_user))
        lena_page.get_by_role("button", name="Assign").click()
        expect(assignments.get_by_role("heading", level=2).first).to_have_text(heading)
    expect(assignments.locator("tbody tr")).to_have_count(2)
    assert set(article.assignments.values_list("analyst__username", flat=True)) == {"amira", "ben"}

    # ---- Amira annotates blind: two statements with the mouse, three through the services ------
    amira_page = sign_in(new_context, amira)
    amira_page.goto(article.get_absolute_url())
    expect(amira_page.locator(".assignment-bar")).to_contain_text("You are annotating this article blind")
    expect_sees_exactly(amira_page, [])  # not even the seed annotator's 19
    a_clar = tag_with_mouse(
        amira_page, article, amira, seed["clarifications"].quote, "2", ("putin", "Vladimir Putin")
    )
    a_x = tag_with_mouse(amira_page, article, amira, seed["peacemaker"].quote, "3", ("trump", "Donald Trump"))
    assert (a_x.stance, a_x.speaker, a_x.start, a_x.end) == (
        "demand",
        trump,
        seed["peacemaker"].start,
        seed["peacemaker"].end,
    )
    a_right = copy_statement(seed["right_thing"], amira)
    a_supported = copy_statement(seed["supported"], amira)
    a_promising = copy_statement(seed["promising"], amira)
    amira_all = [a_clar, a_x, a_right, a_supported, a_promising]

    # ---- Ben annotates blind: two with the mouse (one with an addressee), two by services ------
    ben_page = sign_in(new_context, ben)
    ben_page.goto(article.get_absolute_url())
    expect(ben_page.locator(".assignment-bar")).to_contain_text("You are annotating this article blind")
    expect_sees_exactly(ben_page, [])  # Amira's five exist already: hidden
    b_clar = tag_with_mouse(
        ben_page, article, ben, seed["clarifications"].quote, "2", ("putin", "Vladimir Putin")
    )
    b_promising = tag_with_mouse(
        ben_page,
        article,
        ben,
        seed["promising"].quote,
        "1",
        ("trump", "Donald Trump"),
        addressee=("putin", "Vladimir Putin"),
    )
    assert (b_promising.speaker, b_promising.addressee) == (trump, putin)
    b_peace = copy_statement(seed["peacemaker"], ben)
    b_right = copy_statement(seed["right_thing"], ben, stance="caveat")
    ben_all = [b_clar, b_promising, b_peace, b_right]
    ben_page.reload()
    expect_sees_exactly(ben_page, ben_all)
    ben_page.evaluate("window.scrollTo(0, 0)")
    ben_page.screenshot(path=str(artifacts_dir / "workflow-blind-ben.png"))
    amira_page.reload()
    expect_sees_exactly(amira_page, amira_all)  # Ben's four stay hidden from her
    amira_page.evaluate("window.scrollTo(0, 0)")
    amira_page.screenshot(path=str(artifacts_dir / "workflow-blind-amira.png"))

    # Amira marks her work finished (the button on the article page): everyone's appear.
    amira_page.get_by_role("button", name="Mark my work finished").click()
    expect(amira_page.locator(".assignment-bar")).to_contain_text("everyone’s statements are visible")
    expect_sees_exactly(amira_page, amira_all + ben_all + seed_all)
    amira_page.screenshot(path=str(artifacts_dir / "workflow-finished-amira.png"))
    # Her finishing reveals nothing to Ben, who has not finished.
    ben_page.reload()
    expect_sees_exactly(ben_page, ben_all)
    ben_page.get_by_role("button", name="Mark my work finished").click()
    expect(ben_page.locator(".assignment-bar")).to_contain_text("everyone’s statements are visible")
    expect_sees_exactly(ben_page, amira_all + ben_all + seed_all)

    # ---- 2. Ben reviews Amira's work from the queue: a accepts, c requests changes --------------
    ben_page.goto(reverse("review_queue"))
    ben_page.get_by_label("Annotator", exact=True).select_option(label=str(amira))
    expect(ben_page).to_have_url(re.compile(rf"annotator={amira.pk}"))
    expect(ben_page.locator("#queue-count")).to_have_text("5 statements awaiting your review")
    items = ben_page.locator("#results [data-review-item]")
    expect(items).to_have_count(5)
    expect(items.first).to_have_id(f"item-{a_clar.pk}")  # oldest first
    ben_page.locator(f"#item-{a_clar.pk} blockquote").click()  # leave the filter; this item is current
    ben_page.keyboard.press("a")
    expect(ben_page.locator(f"#item-{a_clar.pk}")).to_contain_text("Accepted")
    expect(ben_page.locator(f"#item-{a_x.pk}")).to_be_focused()
    ben_page.keyboard.press("c")
    expect(ben_page.locator(f"#comment-{a_x.pk}")).to_be_focused()
    ben_page.keyboard.type(X_COMMENT)
    ben_page.keyboard.press("Enter")
    x_item = ben_page.locator(f"#item-{a_x.pk}")
    expect(x_item).to_contain_text("Changes requested")
    expect(x_item).to_contain_text(X_COMMENT)
    expect(ben_page.locator("#queue-count")).to_have_text("3 statements awaiting your review")
    ben_page.screenshot(path=str(artifacts_dir / "workflow-queue-after-review.png"))
    a_clar.refresh_from_db()
    a_x.refresh_from_db()
    assert (a_clar.status, a_x.status) == ("accepted", "changes_requested")
    assert Review.objects.get(statement=a_x).comment == X_COMMENT

    # ---- 3. Amira sees the verdict on her Feedback page and edits the statement ----------------
    amira_page.goto(reverse("feedback"))
    expect(amira_page.locator(".tally.t-changes_requested .n")).to_have_text("1")
    feedback = amira_page.locator(f"#feedback-{a_x.pk}")
    expect(feedback).to_contain_text("Changes requested")
    expect(feedback).to_contain_text(str(ben))
    expect(feedback).to_contain_text(X_COMMENT)
    amira_page.screenshot(path=str(artifacts_dir / "workflow-feedback.png"), full_page=True)
    feedback.get_by_role("link", name="Edit on the article page").click()
    amira_page.wait_for_url(re.compile(rf"statement={a_x.pk}&edit=1"))  # loaded: its keys work
    panel = amira_page.locator("#panel")
    expect(panel.get_by_role("heading", name="Edit statement")).to_be_visible()
    amira_page.keyboard.press("1")  # support
    expect(amira_page.locator("#edit-stance-support")).to_be_checked()
    amira_page.keyboard.press("Enter")
    expect(amira_page.locator(f"#statement-{a_x.pk}")).to_have_class(re.compile(r"\bs-support\b"))
    expect(amira_page.locator(f"#statement-{a_x.pk} .status")).to_have_text("Pending")
    # The panel shows the saved statement: pending, the verdict and comment kept, marked as earlier.
    expect(panel.locator(".facts .status")).to_have_text("Pending")
    panel_verdict = panel.locator(".panel-verdicts li")
    expect(panel_verdict).to_have_count(1)
    expect(panel_verdict.locator(".verdict.v-request_changes")).to_have_text("Changes requested")
    expect(panel_verdict).to_contain_text(f"by {ben}")
    expect(panel_verdict).to_contain_text("(on an earlier version)")
    expect(panel_verdict).to_contain_text(X_COMMENT)
    a_x.refresh_from_db()
    assert (a_x.stance, a_x.status, a_x.version) == ("support", "pending", 2)

    # Back to pending on the page; the earlier verdict stays in the statement's history.
    amira_page.goto(reverse("statement_activity", args=[a_x.pk]))
    activity = amira_page.locator(f"#activity-{a_x.pk}")
    expect(activity.locator(".statement-card .status-pill")).to_have_text("Pending")
    verdict = activity.locator(".verdict-entry")
    expect(verdict).to_have_count(1)
    expect(verdict).to_contain_text("on version 1, since edited")
    expect(verdict).to_contain_text(X_COMMENT)
    expect(activity).to_contain_text("Edited since the last verdict: back in the review queue.")
    history = activity.locator(".history .event")  # oldest first
    expect(history).to_have_count(3)
    expect(history.nth(0)).to_have_class(re.compile(r"\bev-created\b"))
    review_event = history.nth(1)
    expect(review_event).to_have_class(re.compile(r"\bev-reviewed\b"))
    expect(review_event.locator(".verdict.v-request_changes")).to_be_visible()
    expect(review_event).to_contain_text(X_COMMENT)
    expect(review_event).to_contain_text(f"by {ben}")
    edit_event = history.nth(2)
    expect(edit_event).to_have_class(re.compile(r"\bev-updated\b"))
    expect(edit_event.locator("dl.changes dt")).to_have_text(["Stance", "Status"])
    expect(edit_event.locator("dl.changes del")).to_have_text(["Demand", "Changes requested"])
    expect(edit_event.locator("dl.changes ins")).to_have_text(["Support", "Pending"])
    amira_page.screenshot(path=str(artifacts_dir / "workflow-activity.png"), full_page=True)
    # ... and it is back in Ben's queue, marked edited.
    ben_page.goto(f"{reverse('review_queue')}?annotator={amira.pk}")
    expect(ben_page.locator(f"#item-{a_x.pk}")).to_contain_text("edited")
    expect(ben_page.locator(f"#item-{a_clar.pk}")).to_have_count(0)

    # ---- 4. The lead compares: g accepts the agreed units, one click settles a disagreement ----
    lena_page.goto(reverse("article_compare", args=[article.pk]))
    counts = lena_page.locator(".compare-toolbar .unit-counts li")
    expect(lena_page.locator(".compare-head")).to_contain_text("2 analysts: Amira Haddad, Ben Okafor")
    # only the assigned analysts count: five units, two of them differ (the one Ben did not
    # mark, and the stance disagreement); the seed annotation is not compared
    expect(counts).to_have_text(["2 to decide", "3 agreed, not yet gold", "0 gold"])
    lena_page.screenshot(path=str(artifacts_dir / "workflow-compare-before.png"), full_page=True)

    lena_page.keyboard.press("g")
    expect(lena_page.locator("#status")).to_have_text("3 agreed units made gold.")
    expect(counts).to_have_text(["2 to decide", "0 agreed, not yet gold", "3 gold"])
    # a unit is keyed by its smallest statement id: Amira's, who annotated first
    for mine in (a_clar, a_x, a_promising):
        expect(lena_page.locator(f"#unit-{mine.pk}")).to_have_class("unit st-gold")

    unit = lena_page.locator(f"#unit-{a_right.pk}")
    expect(unit.locator(".diff-tag")).to_have_text(["stance"])
    unit.get_by_role("button", name="Use Amira’s").click()
    expect(counts).to_have_text(["1 to decide", "0 agreed, not yet gold", "4 gold"])
    expect(lena_page.locator(f"#unit-{a_right.pk}")).to_have_class("unit st-gold")
    # the one Ben did not mark is still to decide
    expect(lena_page.locator(f"#unit-{a_supported.pk}")).to_have_class("unit st-open")
    lena_page.evaluate("window.scrollTo(0, 0)")
    lena_page.screenshot(path=str(artifacts_dir / "workflow-compare-after.png"), full_page=True)

    golds = {g.quote: g for g in Statement.objects.filter(is_gold=True).prefetch_related("adjudicated_from")}
    assert set(golds) == {seed[n].quote for n in ("clarifications", "peacemaker", "promising", "right_thing")}
    picked = golds[seed["right_thing"].quote]
    assert picked.stance == "demand"  # Amira's, not Ben's caveat
    assert set(picked.adjudicated_from.all()) == {a_right, b_right}
    assert set(golds[seed["peacemaker"].quote].adjudicated_from.all()) == {a_x, b_peace}
    assert [c.evidence_quote for c in picked.conditions.all()] == ["do the right thing"]

    # ---- 5. The gold export holds exactly the adjudicated statements --------------------------
    def export(query: str) -> list[dict]:
        response = lena_page.request.get(f"{reverse('api-export-statements')}?format=jsonl&{query}")
        assert response.status == 200, response.text()
        assert response.headers["content-type"].startswith("application/x-ndjson")
        return [json.loads(line) for line in response.text().splitlines() if line]

    rows = export("gold=true")
    exported = {(r["start"], r["end"], r["stance"], (r["speaker"] or {}).get("id")) for r in rows}
    in_db = {(g.start, g.end, g.stance, g.speaker_id) for g in golds.values()}
    adjudicated = {
        (seed["clarifications"].start, seed["clarifications"].end, "caveat", putin.pk),
        (seed["peacemaker"].start, seed["peacemaker"].end, "support", trump.pk),
        (seed["promising"].start, seed["promising"].end, "support", trump.pk),
        (seed["right_thing"].start, seed["right_thing"].end, "demand", trump.pk),
    }
    assert len(rows) == 4
    assert exported == in_db == adjudicated
    assert {r["id"] for r in rows} == {g.pk for g in golds.values()}
    assert all(r["gold"] and r["status"] == "accepted" for r in rows)
    assert {r["annotator"]["username"] for r in rows} == {lead.username}
    # The filter is what narrows it: everything else is still there, and not gold.
    total = len(seed_all) + len(amira_all) + len(ben_all)
    assert len(export("gold=false")) == total
    assert len(export("")) == total + 4
    assert export("status=accepted&gold=true") == rows
    accepted = export("status=accepted")
    assert {r["id"] for r in accepted} == {g.pk for g in golds.values()} | {a_clar.pk}
