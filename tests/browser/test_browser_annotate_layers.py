"""Real Chromium: layers (mine / everyone's / gold only), gold drawn right where spans coincide,
review outcomes on the highlight (issue 10, bug 6); the statement list's sort and filter, and
scrolling between the list and the text."""

import re

import pytest
from playwright.sync_api import expect

from statements import services
from statements.models import Statement
from tests.browser.annotate_tools import TEXT, open_article, open_edit
from tests.factories import ActorFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUOTE = "Any ceasefire must come with guarantees"


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


def _colour(page, statement_id):
    return page.locator(f'#article-text mark[data-ids~="{statement_id}"]').first


def test_gold_is_drawn_where_it_shares_a_span_and_layers_switch(login, analyst, other_analyst, lead, article):
    mine = _make(article, analyst, QUOTE, stance="support")
    theirs = _make(article, other_analyst, QUOTE, stance="support")
    gold = services.statement_adjudicate(
        article=article,
        user=lead,
        sources=[mine, theirs],
        start=mine.start,
        end=mine.end,
        quote=QUOTE,
        stance="demand",
    )
    assert gold.pk > mine.pk  # the lowest id used to win the colour
    other = _make(article, other_analyst, "Officials in Kyiv were more cautious", stance="caveat")
    page = login(analyst)
    open_article(page, article.get_absolute_url())
    mark = _colour(page, gold.pk)
    expect(mark).to_have_class(re.compile(r"\bs-demand\b.*\bgold\b"))
    expect(mark).to_have_attribute("data-ids", re.compile(rf"^{gold.pk} "))
    expect(mark).to_have_accessible_description(re.compile(r"^Gold Demand: unknown speaker, accepted"))
    # Gold only: just the gold statement
    page.get_by_role("link", name="Gold only").click()
    expect(page.locator("#workspace")).to_have_attribute("data-show", "gold")
    expect(page.locator("#article-text mark.hl")).to_have_count(1)
    expect(page.locator("#list-heading")).to_have_text("1 gold statement")
    expect(page.locator(f"#statement-{gold.pk}")).to_be_visible()
    page.wait_for_url("**?show=gold")
    # Mine: only Amira's, support-coloured
    page.get_by_role("link", name="Mine").click()
    expect(page.locator("#workspace")).to_have_attribute("data-show", "mine")
    expect(page.locator("#article-text mark.hl")).to_have_count(1)
    expect(_colour(page, mine.pk)).to_have_class(re.compile(r"\bs-support\b"))
    expect(page.locator(f'#article-text mark[data-ids~="{other.pk}"]')).to_have_count(0)
    # Everyone's: all four
    page.get_by_role("link", name="Everyone’s").click()
    expect(page.locator("#workspace")).to_have_attribute("data-show", "all")
    expect(page.locator("#list-heading")).to_have_text("4 statements")


def test_review_outcomes_show_on_the_highlight(login, analyst, lead, article):
    rejected = _make(article, analyst, QUOTE)
    changes = _make(article, analyst, "Officials in Kyiv were more cautious", stance="caveat")
    services.statement_review(statement=rejected, reviewer=lead, verdict="reject", comment="Not a statement")
    services.statement_review(statement=changes, reviewer=lead, verdict="request_changes", comment="Speaker?")
    page = login(analyst)
    open_article(page, article.get_absolute_url())
    expect(_colour(page, rejected.pk)).to_have_class(re.compile(r"\bst-rejected\b"))
    expect(_colour(page, changes.pk)).to_have_class(re.compile(r"\bst-changes_requested\b"))
    expect(_colour(page, rejected.pk)).to_have_accessible_description(re.compile("rejected"))
    # drawn, not only a class: the hatching and the wavy line are on screen
    assert "repeating-linear-gradient" in _colour(page, rejected.pk).evaluate(
        "(m) => getComputedStyle(m).backgroundImage"
    )
    assert "wavy" in _colour(page, changes.pk).evaluate("(m) => getComputedStyle(m).textDecorationStyle")


def test_the_list_sorts_filters_and_scrolls_to_and_from_the_text(
    login, analyst, other_analyst, lead, article
):
    lavrov = ActorFactory(name="Sergei Lavrov")
    a = _make(article, analyst, "Delegations met on Tuesday", stance="support")
    b = _make(article, other_analyst, QUOTE, stance="demand", speaker=lavrov.pk)
    c = _make(article, analyst, "We welcome the proposal", stance="caveat", speaker=lavrov.pk)
    services.statement_review(statement=b, reviewer=lead, verdict="reject", comment="No")
    page = login(analyst)
    open_article(page, article.get_absolute_url())
    items = page.locator(".statement-list ol > li:visible")
    ids = lambda: [int(x) for x in items.evaluate_all("(els) => els.map((e) => e.dataset.statement)")]  # noqa: E731
    expect(items).to_have_count(3)
    assert ids() == [a.pk, c.pk, b.pk]  # text order
    tools = page.locator("[data-list-tools]")
    tools.locator('[name="sort"]').select_option("newest")
    assert ids() == [c.pk, b.pk, a.pk]
    tools.locator('[name="sort"]').select_option("status")
    assert ids() == [b.pk, a.pk, c.pk]  # the rejected one first, then pending in text order
    tools.locator('[name="sort"]').select_option("speaker")
    assert ids() == [c.pk, b.pk, a.pk]  # Sergei Lavrov's first (text order), then the unknown speaker
    tools.locator('[name="stance"]').select_option("demand")
    expect(items).to_have_count(1)
    assert ids() == [b.pk]
    tools.locator('[name="stance"]').select_option("")
    tools.locator('[name="status"]').select_option("rejected")
    assert ids() == [b.pk]
    tools.locator('[name="status"]').select_option("")
    tools.locator('[name="speaker"]').select_option("Sergei Lavrov")
    expect(items).to_have_count(2)
    tools.locator('[name="mine"]').check()
    assert ids() == [c.pk]
    expect(tools.locator("[data-list-count]")).to_have_text("1 of 3")
    # the choice survives a save (the workspace is swapped)
    open_edit(page, c.pk)
    page.locator("#edit-note").fill("kept filter")
    page.locator("#panel").get_by_role("button", name="Save").click()
    expect(page.locator(f"#statement-{c.pk}")).to_contain_text("Sergei Lavrov")
    expect(page.locator("[data-list-tools]").locator('[name="mine"]')).to_be_checked()
    expect(items).to_have_count(1)
    tools = page.locator("[data-list-tools]")
    tools.locator('[name="mine"]').uncheck()
    tools.locator('[name="speaker"]').select_option("")
    expect(items).to_have_count(3)


def test_clicking_scrolls_between_the_list_and_the_text(login, analyst, article):
    long_text = ("Filler sentence about the weather in the valley. " * 40 + "\n\n") * 4 + TEXT
    long_article = services.article_create(user=analyst, title="Long", text=long_text)
    start = long_text.index(QUOTE)
    far = services.statement_create(
        article=long_article, user=analyst, start=start, end=start + len(QUOTE), quote=QUOTE, stance="demand"
    )
    near = services.statement_create(
        article=long_article,
        user=analyst,
        start=0,
        end=len("Filler sentence"),
        quote="Filler sentence",
        stance="support",
    )
    for i in range(1, 25):  # enough entries for the list to scroll
        s = long_text.index("weather", i * 60)
        services.statement_create(
            article=long_article, user=analyst, start=s, end=s + 7, quote="weather", stance="caveat"
        )
    page = login(analyst)
    open_article(page, long_article.get_absolute_url())
    in_view = (
        "(el) => { const r = el.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }"
    )
    mark = page.locator(f'#article-text mark[data-ids~="{far.pk}"]').first
    assert not mark.evaluate(in_view)
    page.locator(f"#statement-{far.pk} .statement-link").scroll_into_view_if_needed()
    page.locator(f"#statement-{far.pk} .statement-link").click()
    expect(page.locator("#panel")).to_have_attribute("data-selected", str(far.pk))
    page.wait_for_function(
        f"() => {{ const el = document.querySelector('#article-text mark[data-ids~=\"{far.pk}\"]');"
        " const r = el.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }"
    )
    # and back: the highlight of the first statement scrolls the list to its entry
    page.evaluate("() => window.scrollTo(0, 0)")
    entry = page.locator(f"#statement-{near.pk}")
    page.locator(".statement-list").evaluate("(l) => { l.scrollTop = l.scrollHeight; }")
    page.locator(f'#article-text mark[data-ids~="{near.pk}"]').first.click()
    expect(entry).to_have_class(re.compile(r"\bis-selected\b"))
    page.wait_for_function(
        f"""() => {{ const l = document.querySelector('.statement-list').getBoundingClientRect();
          const e = document.getElementById('statement-{near.pk}').getBoundingClientRect();
          return e.top >= l.top - 1 && e.bottom <= l.bottom + 1; }}"""
    )
    assert Statement.objects.filter(article=long_article).count() == 26
