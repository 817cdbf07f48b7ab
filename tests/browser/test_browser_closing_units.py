"""Real Chromium, issue 10 item 7 and the speaker picker: a unit a lead closes with gold leaves
the review queue and its badge; the Conditions page counts an adjudicated condition once, gold
only, or every copy; the picker offers to add an actor only when no name or alias contains what
was typed."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from statements import services
from statements.models import Actor, Statement
from tests.browser.annotate_tools import TEXT, drag_select, open_article
from tests.factories import ArticleFactory, StatementFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}}


def _condition_texts(page: Page) -> list[str]:
    return sorted(page.locator("#results .cond-text").all_inner_texts())


def test_a_gold_unit_leaves_the_queue_and_the_conditions_page_counts_it_once(
    login, lead, analyst, other_analyst, live_server, artifacts_dir
):
    article = ArticleFactory(title="Root causes")
    copies = [
        StatementFactory(
            article=article,
            user=u,
            quote="cease hostilities",
            conditions=[{"description": "Root causes first"}],
        )
        for u in (analyst, other_analyst)
    ]
    StatementFactory(article=article, user=analyst, quote="Putin", conditions=[{"description": "Open one"}])
    page = login(lead)

    # Before: three statements wait for review, the badge says so, the queue lists the copies.
    page.goto(f"{live_server.url}{reverse('review_queue')}")
    expect(page.locator("#review-count")).to_have_text("3 awaiting review")
    for s in copies:
        expect(page.locator(f"#item-{s.pk}")).to_have_count(1)

    # The lead makes the agreed unit gold on the compare page (g).
    page.goto(f"{live_server.url}{reverse('article_compare', args=[article.pk])}")
    page.keyboard.press("g")
    expect(page.locator("#status")).to_have_text("1 agreed unit made gold.")
    gold = Statement.objects.get(is_gold=True)
    assert set(gold.adjudicated_from.all()) == set(copies)

    # After: the copies left the queue and the badge; the open statement still waits.
    page.goto(f"{live_server.url}{reverse('review_queue')}")
    expect(page.locator("#review-count")).to_have_text("1 awaiting review")
    for s in copies:
        expect(page.locator(f"#item-{s.pk}")).to_have_count(0)

    # Conditions: each unit once (the default), gold only, every copy; the choice is in the URL.
    page.goto(f"{live_server.url}{reverse('condition_list')}")
    expect(page.locator("#f-layer")).to_have_value("units")
    expect(page.locator("#results .result-count")).to_contain_text("2 condition")
    assert _condition_texts(page) == ["Open one", "Root causes first"]
    page.locator("#f-layer").select_option("gold")
    expect(page.locator("#results .result-count")).to_contain_text("1 condition")
    assert _condition_texts(page) == ["Root causes first"]
    assert "layer=gold" in page.url
    page.locator("#f-layer").select_option("all")
    expect(page.locator("#results .result-count")).to_contain_text("4 condition")
    assert _condition_texts(page) == ["Open one"] + ["Root causes first"] * 3
    page.screenshot(path=str(artifacts_dir / "conditions-every-copy.png"), full_page=True)


def test_the_picker_offers_a_new_actor_only_when_no_name_or_alias_contains_the_text(login, analyst):
    services.actor_create(
        user=None, name="Sergei Lavrov", aliases=["the Russian foreign minister"], kind="person"
    )
    article = services.article_create(user=analyst, title="Geneva talks", text=TEXT)
    page = login(analyst)
    open_article(page, article.get_absolute_url())
    drag_select(page, "Officials in Kyiv were more cautious")
    page.keyboard.press("2")
    search = page.locator("#new-speaker-q")
    options = page.locator("#new-speaker-options")
    for typed in ["lavr", "LAVROV", "russian foreign"]:  # a name, any case, an alias
        search.fill(typed)
        expect(options.locator(".picker-option").first).to_contain_text("Sergei Lavrov")
        expect(options.locator(".picker-create")).to_have_count(0)
    search.fill("Olga Lavrova")  # contained by no name and no alias: offered
    expect(options.locator(".picker-create")).to_contain_text("Add “Olga Lavrova” as")
    expect(options.locator(".picker-option")).to_have_count(0)
    options.get_by_role("button", name="person").click()
    expect(page.locator("#new-speaker-choice .picker-name")).to_have_text("Olga Lavrova")
    assert Actor.objects.filter(name="Olga Lavrova", created_by=analyst).count() == 1
