"""A save, an edit and a delete on the annotate page answer htmx with only what changed, as
out-of-band swaps (views/annotate._after_save): the highlights of the changed regions (UTF-16
offsets for static/js/textpatch.js), the list entry at its place, the counts, the panel."""

import json
import re

import pytest
from django.urls import reverse

from statements.models import Statement
from statements.presenters import rendering
from statements.selectors import workspace
from tests.factories import ArticleFactory, StatementFactory

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true", "HX-Target": "workspace"}
TEXT = "Intro 😀 text. " + " ".join(f"Sentence {i:02d} says something." for i in range(12))


def _u16(text, i):
    return len(text[:i].encode("utf-16-le")) // 2


def _patches(page):
    holder = re.search(r'<div id="text-patches" hx-swap-oob="true" hidden>(.*?)</div>', page, re.S).group(1)
    return [
        (int(a), int(b), html)
        for a, b, html in re.findall(
            r'<template data-start="(\d+)" data-end="(\d+)">(.*?)</template>', holder, re.S
        )
    ]


def _strip(html):
    return re.sub(r"<[^>]+>", "", html).replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")


@pytest.fixture
def article(analyst, other_analyst):
    article = ArticleFactory(text=TEXT)
    for i in (1, 3, 5, 8):
        quote = f"Sentence {i:02d} says"
        StatementFactory(article=article, user=analyst if i % 2 else other_analyst, quote=quote)
    return article


def _payload(article, quote, **extra):
    start = article.text.index(quote)
    return {
        "start_u16": _u16(article.text, start),
        "end_u16": _u16(article.text, start + len(quote)),
        "quote": quote,
        "stance": "demand",
        "speaker": "",
        "addressee": "",
        "note": "",
        "condition": [],
        **extra,
    }


def test_a_save_sends_the_new_highlight_run_its_entry_the_counts_and_the_panel(client, analyst, article):
    client.force_login(analyst)
    quote = "Sentence 04 says something"
    response = client.post(
        reverse("statement_create", args=[article.pk]), _payload(article, quote), headers=HX
    )
    assert response.status_code == 200 and response["HX-Reswap"] == "none"
    assert json.loads(response["HX-Trigger"]) == {"annotator:status": {"message": "Statement saved."}}
    page = response.content.decode()
    new = Statement.objects.get(quote=quote)
    # the highlights of exactly its span, in UTF-16 (the emoji before it counts two)
    ((start, end, html),) = _patches(page)
    assert (start, end) == (_u16(TEXT, new.start), _u16(TEXT, new.end))
    assert _strip(html) == quote and f'data-ids="{new.pk}"' in html and "hl-start" in html
    # the same marks as the full page draws there
    rows = workspace.article_page_rows(article, analyst)
    full = str(rendering.highlighted_text(TEXT, rows))
    assert html in full
    # its entry goes before the next statement in text order (Sentence 05)
    following = Statement.objects.get(quote="Sentence 05 says")
    assert f'<div hx-swap-oob="beforebegin:#statement-{following.pk}"><li id="statement-{new.pk}"' in page
    assert page.count('class="statement ') == 1
    assert '<ul id="stance-counts" class="legend" aria-label="Stances" hx-swap-oob="true">' in page
    assert re.search(r'<h2 id="list-heading" hx-swap-oob="true">5 statements</h2>', page)
    panel = re.search(r'<section id="panel" hx-swap-oob="true" class="card panel"[^>]*>', page).group(0)
    assert f'data-selected="{new.pk}"' in panel
    assert '<section id="tagger" hx-swap-oob="true"' in page  # a fresh, hidden tagging panel
    assert "<article" not in page and 'id="workspace"' not in page


def test_the_last_entry_is_appended_and_an_overlap_redraws_both_statements(client, analyst, article):
    client.force_login(analyst)
    quote = "says something. Sentence 09"  # overlaps the end of "Sentence 08 says"; last in text order
    page = client.post(
        reverse("statement_create", args=[article.pk]), _payload(article, quote), headers=HX
    ).content.decode()
    new = Statement.objects.get(quote=quote)
    old = Statement.objects.get(quote="Sentence 08 says")
    ((start, end, html),) = _patches(page)
    assert _strip(html) == quote
    assert f'data-ids="{old.pk} {new.pk}"' in html  # the nested part carries both, innermost first
    assert f'<div hx-swap-oob="beforeend:#statement-items"><li id="statement-{new.pk}"' in page


def test_an_edit_redraws_the_old_and_the_new_span_and_moves_the_entry(client, analyst, article):
    statement = Statement.objects.get(quote="Sentence 01 says")
    client.force_login(analyst)
    quote = "Sentence 06 says something"
    data = {**_payload(article, quote), "version": statement.version}
    response = client.post(reverse("statement_update", args=[statement.pk]), data, headers=HX)
    assert response.status_code == 200, response.content.decode()[:500]
    page = response.content.decode()
    patches = _patches(page)
    statement.refresh_from_db()
    assert [(a, b) for a, b, _ in patches] == [
        (_u16(TEXT, TEXT.index("Sentence 01 says")), _u16(TEXT, TEXT.index("Sentence 01 says") + 16)),
        (_u16(TEXT, statement.start), _u16(TEXT, statement.end)),
    ]
    assert f'data-ids="{statement.pk}"' not in patches[0][2] and f'data-ids="{statement.pk}"' in patches[1][2]
    following = Statement.objects.get(quote="Sentence 08 says")
    assert f'<div hx-swap-oob="delete:#statement-{statement.pk}"></div>' in page
    assert (
        f'<div hx-swap-oob="beforebegin:#statement-{following.pk}"><li id="statement-{statement.pk}"' in page
    )
    status = json.loads(response["HX-Trigger"])["annotator:status"]
    assert status["action"]["url"] == reverse("statement_undo", args=[statement.pk])


def test_a_delete_removes_its_highlight_and_entry(client, analyst, article):
    statement = Statement.objects.get(quote="Sentence 03 says")
    client.force_login(analyst)
    response = client.post(reverse("statement_delete", args=[statement.pk]), {}, headers=HX)
    page = response.content.decode()
    ((start, end, html),) = _patches(page)
    assert _strip(html) == "Sentence 03 says" and "<mark" not in html
    assert f'<div hx-swap-oob="delete:#statement-{statement.pk}"></div>' in page
    assert re.search(r'<h2 id="list-heading" hx-swap-oob="true">3 statements</h2>', page)
    assert "data-selected=" not in page  # the panel is back to its how-to
    assert json.loads(response["HX-Trigger"])["annotator:status"]["action"]["url"] == reverse(
        "statement_restore", args=[statement.pk]
    )


def test_in_the_mine_layer_others_statements_stay_out(client, analyst, other_analyst, article):
    client.force_login(analyst)
    quote = "Sentence 08 says something"  # covers Ben's "Sentence 08 says"
    page = client.post(
        reverse("statement_create", args=[article.pk]), _payload(article, quote, show="mine"), headers=HX
    ).content.decode()
    bens = Statement.objects.get(quote="Sentence 08 says")
    ((start, end, html),) = _patches(page)
    assert str(bens.pk) not in re.findall(r'data-ids="([^"]*)"', html)[0].split()
    assert re.search(r'<h2 id="list-heading" hx-swap-oob="true">4 statements of yours</h2>', page)


def test_the_first_statement_gets_the_whole_workspace(client, analyst):
    article = ArticleFactory(text=TEXT)
    client.force_login(analyst)
    page = client.post(
        reverse("statement_create", args=[article.pk]), _payload(article, "Sentence 02 says"), headers=HX
    ).content.decode()
    assert page.lstrip().startswith('<div id="workspace"')


def _tagger(page):
    found = re.search(r'<section id="tagger" hx-swap-oob="true".*?</section>', page, re.S)
    assert found, "no fresh tagging panel in the answer"
    return found.group(0)


def test_the_fresh_tagging_panel_is_the_same_each_time_with_a_token_that_works(
    analyst, other_analyst, article
):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(analyst)
    client.get(article.get_absolute_url())  # the CSRF cookie
    token = client.cookies["csrftoken"].value
    url = reverse("statement_create", args=[article.pk])
    taggers = []
    for quote in ("Sentence 02 says", "Sentence 04 says", "Sentence 06 says"):
        response = client.post(url, _payload(article, quote), headers={**HX, "X-CSRFToken": token})
        assert response.status_code == 200
        tagger = _tagger(response.content.decode())
        assert 'name="csrfmiddlewaretoken"' in tagger and "placeholder-5f0b" not in tagger
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', tagger).group(1)
        taggers.append(tagger)
    # the same panel each time (rendered once per article and layer) but for the token; the token
    # taken from one answer is the one the next save was sent with, and Django accepted it
    strip = [re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", t) for t in taggers]
    assert strip[0] == strip[1] == strip[2]
    assert f'hx-post="{url}"' in taggers[0] and "hidden" in taggers[0]
    refused = client.post(url, _payload(article, "Sentence 07 says"), headers={**HX, "X-CSRFToken": "x" * 64})
    assert refused.status_code == 403
    # another user (another CSRF secret) gets a token of their own from the same panel
    other = Client(enforce_csrf_checks=True)
    other.force_login(other_analyst)
    other.get(article.get_absolute_url())
    answer = other.post(
        url,
        _payload(article, "Sentence 09 says"),
        headers={**HX, "X-CSRFToken": other.cookies["csrftoken"].value},
    )
    theirs = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', _tagger(answer.content.decode())).group(
        1
    )
    last = other.post(url, _payload(article, "Sentence 10 says"), headers={**HX, "X-CSRFToken": theirs})
    assert last.status_code == 200
    assert (
        client.post(
            url, _payload(article, "Sentence 11 says"), headers={**HX, "X-CSRFToken": theirs}
        ).status_code
        == 403
    )
