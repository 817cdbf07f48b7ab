"""The annotate page's server side for issue 10 part A: the gold layer, span correction through
the edit form, version conflicts resolved without JavaScript (keep mine, merge per field), and
what the highlights and list entries carry for the browser (statuses, gold, escaping)."""

import html

import pytest
from django.urls import reverse

from statements import services
from statements.forms import Utf16Text
from tests.factories import ActorFactory, ArticleFactory, StatementFactory, UserFactory

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}
QUOTE = "We agree with the proposals to cease hostilities"


def _u16(text, offset):
    return len(text[:offset].encode("utf-16-le")) // 2


def _payload(statement, **changes):
    data = {
        "stance": statement.stance,
        "speaker": statement.speaker_id or "",
        "addressee": statement.addressee_id or "",
        "note": statement.note,
        "version": statement.version,
        "condition": [c.description for c in statement.conditions.all()],
        "condition_id": [str(c.pk) for c in statement.conditions.all()],
        "condition_ev_start": ["" for _ in statement.conditions.all()],
        "condition_ev_end": ["" for _ in statement.conditions.all()],
        "condition_ev_quote": [c.evidence_quote for c in statement.conditions.all()],
    }
    data.update(changes)
    return data


def test_it_draws_only_gold_in_the_gold_layer_and_gold_first_where_spans_coincide(
    client, analyst, other_analyst, lead, django_assert_num_queries
):
    article = ArticleFactory(text="Emoji 😀 first. " + QUOTE + ".")
    mine = StatementFactory(article=article, user=analyst, quote=QUOTE, stance="support")
    theirs = StatementFactory(article=article, user=other_analyst, quote=QUOTE, stance="support")
    gold = services.statement_adjudicate(
        article=article,
        user=lead,
        sources=[mine, theirs],
        start=mine.start,
        end=mine.end,
        quote=QUOTE,
        stance="demand",
    )
    client.force_login(analyst)
    page = client.get(article.get_absolute_url()).content.decode()
    assert f'<mark class="hl s-demand d3 hl-start gold" data-ids="{gold.pk} {mine.pk} {theirs.pk}"' in page
    assert 'aria-description="Gold Demand: unknown speaker, accepted; ' in page
    client.get(f"{article.get_absolute_url()}?show=gold", headers={**HX, "HX-Target": "workspace"})
    # session, user with memberships, article, the gold rows (one query, as for the other layers)
    with django_assert_num_queries(4):
        response = client.get(
            f"{article.get_absolute_url()}?show=gold", headers={**HX, "HX-Target": "workspace"}
        )
    body = response.content.decode()
    assert body.count('class="statement ') == 1 and f'id="statement-{gold.pk}"' in body
    assert 'data-show="gold"' in body and "1 gold statement" in body


def test_it_marks_review_outcomes_on_the_highlight_and_escapes_list_data(client, analyst, lead):
    article = ArticleFactory()
    speaker = ActorFactory(name='"><script>alert(1)</script>')
    s = StatementFactory(article=article, user=analyst, quote=QUOTE, speaker=speaker.pk)
    services.statement_review(statement=s, reviewer=lead, verdict="request_changes", comment="Which speaker?")
    client.force_login(analyst)
    page = client.get(article.get_absolute_url()).content.decode()
    assert f'class="hl s-support hl-start st-changes_requested" data-ids="{s.pk}"' in page
    assert "<script>alert(1)</script>" not in page
    assert f'data-speaker="{html.escape(speaker.name)}"' in page
    assert 'data-status="changes_requested" data-speaker=' in page


def test_the_edit_form_carries_the_span_and_a_new_one_is_saved(client, analyst):
    text = "Emoji 😀 first. " + QUOTE + "."
    article = ArticleFactory(text=text)
    statement = StatementFactory(article=article, user=analyst, quote="agree with the proposals")
    client.force_login(analyst)
    form = client.get(f"{article.get_absolute_url()}?statement={statement.pk}&edit=1").content.decode()
    start_u16 = _u16(text, statement.start)
    assert f'name="start_u16" value="{start_u16}"' in form  # UTF-16: the emoji counts twice
    assert f'name="end_u16" value="{_u16(text, statement.end)}"' in form
    new_start = text.index(QUOTE)
    data = _payload(
        statement,
        start_u16=_u16(text, new_start),
        end_u16=_u16(text, new_start + len(QUOTE)),
        quote=QUOTE,
    )
    response = client.post(reverse("statement_update", args=[statement.pk]), data, headers=HX)
    assert response.status_code == 200
    statement.refresh_from_db()
    assert (statement.start, statement.end, statement.quote, statement.version) == (
        new_start,
        new_start + len(QUOTE),
        QUOTE,
        2,
    )
    assert Utf16Text(text).to_code_points(_u16(text, new_start)) == new_start
    # a quote that does not match the offsets is refused with a message, nothing changes
    bad = _payload(
        statement, start_u16=_u16(text, new_start), end_u16=_u16(text, new_start + 5), quote="Nope!"
    )
    response = client.post(reverse("statement_update", args=[statement.pk]), bad, headers=HX)
    assert response.status_code == 422
    statement.refresh_from_db()
    assert (statement.quote, statement.version) == (QUOTE, 2)


def test_a_conflict_shows_both_versions_and_keep_mine_saves_mine(client, analyst, lead):
    statement = StatementFactory(user=analyst, quote=QUOTE, note="first")
    stale = _payload(statement, note="mine")
    services.statement_update(statement=statement, user=lead, note="theirs", stance="demand")
    client.force_login(analyst)
    url = reverse("statement_update", args=[statement.pk])
    response = client.post(url, stale, headers=HX)
    assert response.status_code == 422
    body = response.content.decode()
    assert "data-conflict" in body and "Lena Lindqvist" in body
    assert 'name="take_note"' in body and 'name="take_stance"' in body and 'name="take_speaker"' not in body
    assert 'name="version" value="2"' in body  # the stored version, so a resend is not refused again
    assert "mine" in body and "theirs" in body
    statement.refresh_from_db()
    assert (statement.note, statement.version) == ("theirs", 2)
    response = client.post(url, {**stale, "version": 2, "resolve": "mine"}, headers=HX)
    assert response.status_code == 200
    statement.refresh_from_db()
    assert (statement.note, statement.stance, statement.version) == ("mine", "support", 3)


def test_a_conflict_merges_field_by_field_without_javascript(client, analyst, lead):
    lavrov = ActorFactory(name="Sergei Lavrov")
    statement = StatementFactory(user=analyst, quote=QUOTE, note="first", conditions=[{"description": "one"}])
    stale = _payload(statement, note="my note", stance="caveat")
    services.statement_update(
        statement=statement,
        user=lead,
        speaker=lavrov.pk,
        stance="demand",
        conditions=[{"description": "theirs one"}, {"description": "theirs two"}],
    )
    client.force_login(analyst)
    url = reverse("statement_update", args=[statement.pk])
    # the plain form (no htmx): the whole page with the conflict
    response = client.post(url, stale)
    assert response.status_code == 422 and "data-conflict" in response.content.decode()
    merge = {
        **stale,
        "version": 2,
        "resolve": "merge",
        "take_speaker": "theirs",
        "take_conditions": "theirs",
        "take_stance": "mine",
        "take_note": "mine",
    }
    response = client.post(url, merge)
    assert response.status_code == 302
    statement.refresh_from_db()
    assert (statement.stance, statement.speaker_id, statement.note, statement.version) == (
        "caveat",
        lavrov.pk,
        "my note",
        3,
    )
    assert [c.description for c in statement.conditions.order_by("position")] == ["theirs one", "theirs two"]


def test_a_viewer_sees_the_gold_layer_and_cannot_choose_mine(client):
    viewer = UserFactory(role="viewer")
    article = ArticleFactory()
    client.force_login(viewer)
    page = client.get(f"{article.get_absolute_url()}?show=mine").content.decode()
    assert 'data-show="all"' in page and "Gold only" in page and ">Mine</a>" not in page
