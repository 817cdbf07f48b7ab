"""Real Chromium: drafts survive (issue 10, bug 3), spans can be corrected (bug 4), and a version
conflict shows both versions and merges without retyping (bug 5)."""

import pytest
from playwright.sync_api import Page, expect

from statements import services
from statements.models import Statement
from tests.browser.annotate_tools import (
    TEXT,
    drag_select,
    highlighted_text,
    open_article,
    open_edit,
    points_of,
)
from tests.factories import ActorFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUOTE = "We welcome the proposal and are ready to talk"


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 800}}


@pytest.fixture
def article(analyst):
    return services.article_create(user=analyst, title="Geneva talks", text=TEXT)


def _make(article, user, quote, stance="support", **extra):
    start = TEXT.index(quote)
    return services.statement_create(
        article=article, user=user, start=start, end=start + len(quote), quote=quote, stance=stance, **extra
    )


def _open_edit(page: Page, statement: Statement) -> None:
    open_edit(page, statement.pk)


def test_it_steps_back_one_level_with_escape_and_keeps_the_draft(login, analyst, article):
    ActorFactory(name="Sergei Lavrov")
    page = login(analyst)
    open_article(page, article.get_absolute_url())
    drag_select(page, QUOTE)
    tagger = page.locator("#tagger")
    page.keyboard.press("1")
    page.keyboard.type("Lavr")
    expect(page.locator("#new-speaker-options .picker-option").first).to_contain_text("Sergei Lavrov")
    page.keyboard.press("Enter")
    page.locator("#new-note").fill("Said at the press conference")
    tagger.get_by_role("button", name="+ Type a condition").click()
    page.keyboard.type("Talks first")
    # a picker's list open: Esc closes only the list
    page.get_by_label("Addressee").fill("Lav")
    expect(page.locator("#new-addressee-options .picker-option").first).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#new-addressee-options .picker-option")).to_have_count(0)
    expect(tagger).to_be_visible()
    # evidence mode: Esc leaves it, the form stays
    tagger.get_by_role("button", name="+ Highlight its evidence").click()
    expect(tagger.locator("[data-evidence-hint]")).to_be_visible()
    page.keyboard.press("Escape")
    expect(tagger.locator("[data-evidence-hint]")).to_be_hidden()
    expect(tagger).to_be_visible()
    # then Esc closes the form, keeping the draft
    page.keyboard.press("Escape")
    expect(tagger).to_be_hidden()
    draft = page.locator("#drafts .draft")
    expect(draft).to_contain_text("new statement")
    # it survives a reload
    page.reload()
    expect(page.locator("#annotate[data-ready]")).to_have_count(1)
    expect(page.locator("#drafts .draft")).to_contain_text("We welcome the proposal")
    page.locator("#drafts").get_by_role("button", name="Restore").click()
    expect(tagger).to_be_visible()
    expect(tagger.locator("[data-quote]")).to_have_text(QUOTE)
    expect(page.locator("#new-stance-support")).to_be_checked()
    expect(page.locator("#new-speaker-choice .picker-name")).to_have_text("Sergei Lavrov")
    expect(page.locator("#new-note")).to_have_value("Said at the press conference")
    expect(tagger.locator('.condition-row [name="condition"]')).to_have_value("Talks first")
    expect(page.locator("#drafts")).to_be_hidden()  # the open form's draft is not offered twice
    tagger.get_by_role("button", name="Save").click()
    expect(tagger).to_be_hidden()
    statement = Statement.objects.get(article=article)
    assert (statement.quote, statement.speaker.name, statement.note) == (
        QUOTE,
        "Sergei Lavrov",
        "Said at the press conference",
    )
    assert [c.description for c in statement.conditions.all()] == ["Talks first"]
    # saved: no draft is left
    page.reload()
    expect(page.locator("#annotate[data-ready]")).to_have_count(1)
    expect(page.locator("#article-text")).to_have_text(TEXT)
    expect(page.locator("#drafts .draft")).to_have_count(0)
    assert (
        page.evaluate("() => Object.keys(sessionStorage).filter((k) => k.startsWith('annotate:drafts'))")
        == []
    )


def test_an_unsaved_edit_survives_clicking_another_highlight(login, analyst, article):
    first = _make(article, analyst, "Officials in Kyiv were more cautious")
    second = _make(article, analyst, "Any ceasefire must come with guarantees", stance="demand")
    page = login(analyst)
    open_article(page, article.get_absolute_url())
    _open_edit(page, first)
    page.locator("#edit-note").fill("Cautious, not opposed")
    page.keyboard.press("Tab")
    page.locator(f'#article-text mark[data-ids~="{second.pk}"]').first.click()
    expect(page.locator("#panel")).to_have_attribute("data-selected", str(second.pk))
    draft = page.locator("#drafts .draft")
    expect(draft).to_contain_text(f"edit of statement #{first.pk}")
    draft.get_by_role("button", name="Restore").click()
    expect(page.locator("#panel").get_by_role("heading", name="Edit statement")).to_be_visible()
    expect(page.locator("#panel")).to_have_attribute("data-selected", str(first.pk))
    expect(page.locator("#edit-note")).to_have_value("Cautious, not opposed")
    page.locator("#panel").get_by_role("button", name="Save").click()
    expect(page.locator(f"#statement-{first.pk}")).to_be_visible()
    expect(page.locator("#panel").get_by_role("heading", name="Edit statement")).to_have_count(0)
    first.refresh_from_db()
    assert (first.note, first.version) == ("Cautious, not opposed", 2)


def test_it_corrects_the_span_of_a_saved_statement(login, analyst, article):
    statement = _make(article, analyst, "welcome the proposal and")  # mis-dragged
    page = login(analyst)
    open_article(page, article.get_absolute_url())
    _open_edit(page, statement)
    quote = page.locator("#panel [data-quote]")
    expect(quote).to_have_text("welcome the proposal and")
    quote.focus()
    page.keyboard.press("Alt+Shift+ArrowLeft")  # the start a word back: "We"
    expect(quote).to_have_text("We welcome the proposal and")
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Shift+ArrowRight")
    expect(quote).to_have_text("We welcome the proposal and are ready to")
    page.keyboard.press("Shift+ArrowLeft")
    expect(quote).to_have_text("We welcome the proposal and are ready")
    expect(page.locator("#panel [data-span-changed]")).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("#panel").get_by_role("heading", name="Edit statement")).to_have_count(0)
    statement.refresh_from_db()
    start = TEXT.index("We welcome")
    assert (statement.start, statement.end, statement.quote) == (
        start,
        start + len("We welcome the proposal and are ready"),
        "We welcome the proposal and are ready",
    )
    assert highlighted_text(page, statement.pk) == "We welcome the proposal and are ready"
    # re-selecting with the mouse while editing sets the span too
    _open_edit(page, statement)
    drag_select(page, QUOTE)
    expect(page.locator("#panel [data-quote]")).to_have_text(QUOTE)
    expect(page.locator("#tagger")).to_be_hidden()  # no second form
    page.locator("#panel").get_by_role("button", name="Save").click()
    expect(page.locator("#panel").get_by_role("heading", name="Edit statement")).to_have_count(0)
    statement.refresh_from_db()
    assert statement.quote == QUOTE and TEXT[statement.start : statement.end] == QUOTE
    assert Statement.objects.filter(article=article).count() == 1


def test_a_version_conflict_shows_both_and_merges_without_retyping(login, analyst, lead, article):
    lavrov = ActorFactory(name="Sergei Lavrov")
    statement = _make(article, analyst, QUOTE, note="first note")
    page = login(analyst)
    open_article(page, article.get_absolute_url())
    _open_edit(page, statement)
    page.locator("#edit-note").fill("my better note")
    page.locator('label[for="edit-stance-caveat"]').click()
    # meanwhile the lead changes the stance and the speaker
    services.statement_update(statement=statement, user=lead, stance="demand", speaker=lavrov.pk)
    page.locator("#panel").get_by_role("button", name="Save").click()
    conflict = page.locator("#panel [data-conflict]")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("Someone changed this statement")
    expect(conflict).to_contain_text("Lena Lindqvist")
    rows = conflict.locator("tbody tr")
    expect(rows.filter(has_text="Stance")).to_contain_text("Caveat")
    expect(rows.filter(has_text="Stance")).to_contain_text("Demand")
    expect(rows.filter(has_text="Speaker")).to_contain_text("Sergei Lavrov")
    expect(rows.filter(has_text="Note")).to_contain_text("my better note")
    expect(rows.filter(has_text="Note")).to_contain_text("first note")
    # the typed values are still in the form
    expect(page.locator("#edit-note")).to_have_value("my better note")
    # take their speaker, keep my stance and my note
    rows.filter(has_text="Speaker").locator('input[value="theirs"]').check()
    page.locator("#panel").get_by_role("button", name="Save as chosen").click()
    expect(page.locator("#panel [data-conflict]")).to_have_count(0)
    expect(page.locator("#panel").get_by_role("heading", name="Edit statement")).to_have_count(0)
    statement.refresh_from_db()
    assert (statement.stance, statement.speaker_id, statement.note, statement.version) == (
        "caveat",
        lavrov.pk,
        "my better note",
        3,
    )
    expect(page.locator("#drafts .draft")).to_have_count(0)


def test_a_version_conflict_can_keep_mine_or_take_theirs(login, analyst, lead, article):
    statement = _make(article, analyst, QUOTE, note="first note")
    page = login(analyst)
    open_article(page, article.get_absolute_url())
    _open_edit(page, statement)
    page.locator("#edit-note").fill("mine")
    services.statement_update(statement=statement, user=lead, note="theirs")
    page.locator("#panel").get_by_role("button", name="Save").click()
    expect(page.locator("#panel [data-conflict]")).to_be_visible()
    page.locator("#panel").get_by_role("button", name="Keep mine").click()
    expect(page.locator("#panel [data-conflict]")).to_have_count(0)
    statement.refresh_from_db()
    assert (statement.note, statement.version) == ("mine", 3)
    # and the other way: take theirs drops my edit
    _open_edit(page, statement)
    page.locator("#edit-note").fill("mine again")
    services.statement_update(statement=statement, user=lead, note="theirs again")
    page.locator("#panel").get_by_role("button", name="Save").click()
    expect(page.locator("#panel [data-conflict]")).to_be_visible()
    page.locator("#panel").get_by_role("link", name="Take theirs").click()
    expect(page.locator("#panel")).to_contain_text("theirs again")
    expect(page.locator("#drafts .draft")).to_have_count(0)
    statement.refresh_from_db()
    assert (statement.note, statement.version) == ("theirs again", 4)


def test_the_tagger_span_moves_by_words_with_the_keys(login, analyst, article):
    page = login(analyst)
    open_article(page, article.get_absolute_url())
    p = points_of(page, "proposal")
    page.mouse.dblclick(p["x1"] + 2, p["y1"])  # a double click selects the word
    quote = page.locator("#tagger [data-quote]")
    expect(quote).to_have_text("proposal")
    quote.focus()
    page.keyboard.press("Alt+Shift+ArrowLeft")
    page.keyboard.press("Alt+Shift+ArrowLeft")
    page.keyboard.press("Shift+ArrowRight")
    expect(quote).to_have_text("welcome the proposal and")
    page.keyboard.press("Alt+Shift+ArrowRight")
    expect(quote).to_have_text("the proposal and")
    start = TEXT.index("the proposal and")
    assert page.locator('#tagger-form [name="start_u16"]').input_value() == str(start)
    assert page.locator('#tagger-form [name="end_u16"]').input_value() == str(start + len("the proposal and"))
