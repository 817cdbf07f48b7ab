"""The Annotate page (Article.get_absolute_url()) and its write endpoints: create, edit and
delete statements, with the UTF-16 → code point conversion and the permission rules."""

import html
import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from statements import services
from statements.forms import Utf16Text
from statements.models import Condition, Statement, StatementEvent
from statements.presenters.highlight import segments
from tests.factories import ActorFactory, ArticleFactory, StatementFactory

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}
QUOTE = "We agree with the proposals to cease hostilities"
# Astral characters (two UTF-16 units each, one code point) before the quote: an emoji, a flag
# (two regional indicators), a mathematical letter and a CJK Extension B ideograph.
EMOJI_TEXT = (
    "Talks 😀 resumed 🇺🇦 in 𝔊eneva 𠜎. "
    '"We agree with the proposals to cease hostilities," the envoy said. 🙂 Then "nothing more".'
)


def u16(text: str, index: int) -> int:
    """UTF-16 offset of code point `index`: what the browser measures."""
    return len(text[:index].encode("utf-16-le")) // 2


def text_container(response) -> str:
    """The textContent of #article-text as a browser would compute it."""
    page = response.content.decode()
    inner = re.search(r'<div id="article-text"[^>]*>(.*?)</div>', page, re.S).group(1)
    assert set(re.findall(r"</?(\w+)", inner)) <= {"mark"}, "only text and <mark> inside the container"
    return html.unescape(re.sub(r"</?mark[^>]*>", "", inner))


def create_payload(article, quote, *, occurrence=0, **extra):
    index = -1
    for _ in range(occurrence + 1):
        index = article.text.index(quote, index + 1)
    return {
        "start_u16": u16(article.text, index),
        "end_u16": u16(article.text, index + len(quote)),
        "quote": quote,
        "stance": "caveat",
        "speaker": "",
        "addressee": "",
        "note": "",
        **extra,
    }


def counts():
    return Statement.objects.count(), Condition.objects.count(), StatementEvent.objects.count()


# ---- Offsets: the one conversion -----------------------------------------------------------


def test_it_converts_utf16_offsets_to_code_points_across_astral_characters():
    text = Utf16Text(EMOJI_TEXT)
    start = EMOJI_TEXT.index(QUOTE)
    assert u16(EMOJI_TEXT, start) == start + 5  # five astral characters before the quote
    assert text.to_code_points(u16(EMOJI_TEXT, start)) == start
    assert text.to_code_points(u16(EMOJI_TEXT, start + len(QUOTE))) == start + len(QUOTE)
    assert text.to_code_points(0) == 0
    assert text.to_code_points(u16(EMOJI_TEXT, len(EMOJI_TEXT))) == len(EMOJI_TEXT)


def test_it_passes_out_of_range_offsets_on_for_the_service_to_refuse():
    text = Utf16Text("😀abc")  # 5 UTF-16 units, 4 code points
    assert text.to_code_points(-3) == -3
    assert text.to_code_points(7) == 6  # still two past the end


def test_it_refuses_an_offset_inside_a_surrogate_pair():
    with pytest.raises(ValidationError) as exc:
        Utf16Text("a😀b").to_code_points(2)
    assert "inside a character" in exc.value.message_dict["quote"][0]


# ---- The page ----------------------------------------------------------------------------


def test_it_redirects_anonymous_users_to_sign_in(client, seeded):
    response = client.get(seeded.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_shows_every_statement_of_the_seed_article_highlighted(client, viewer, seeded):
    client.force_login(viewer)
    response = client.get(seeded.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    for statement in seeded.statements.all():
        assert f'id="statement-{statement.pk}"' in page
        assert re.search(rf'data-ids="([\d ]+ )?{statement.pk}( [\d ]+)?"', page)
    assert 'class="hl s-support' in page and 'class="hl s-demand' in page and 'class="hl s-caveat' in page
    assert text_container(response) == seeded.text


def test_the_text_container_holds_exactly_the_stored_text_with_astral_characters(client, analyst):
    article = ArticleFactory(text=EMOJI_TEXT)
    StatementFactory(article=article, user=analyst, quote=QUOTE)
    StatementFactory(article=article, user=analyst, quote="😀 resumed 🇺🇦", stance="demand")
    client.force_login(analyst)
    response = client.get(article.get_absolute_url())
    assert text_container(response) == EMOJI_TEXT
    assert f">{QUOTE}</mark>" in response.content.decode()


def test_it_renders_nested_and_overlapping_spans_without_crossing_tags(client, analyst):
    article = ArticleFactory(text="Alpha beta gamma delta epsilon zeta.")
    outer = StatementFactory(article=article, user=analyst, quote="Alpha beta gamma delta")
    inner = StatementFactory(article=article, user=analyst, quote="beta gamma", stance="demand")
    overlapping = StatementFactory(article=article, user=analyst, quote="delta epsilon", stance="caveat")
    client.force_login(analyst)
    response = client.get(article.get_absolute_url())
    page = response.content.decode()
    assert text_container(response) == article.text
    # the nested part carries both, innermost first, coloured by the innermost
    assert f'<mark class="hl s-demand d2 hl-start" data-ids="{inner.pk} {outer.pk}"' in page
    assert f'data-ids="{overlapping.pk} {outer.pk}"' in page
    assert page.count("<mark") == page.count("</mark>")


def test_a_viewer_reads_without_a_tagging_panel(client, viewer, seeded):
    client.force_login(viewer)
    page = client.get(seeded.get_absolute_url()).content.decode()
    assert 'id="tagger"' not in page
    assert "data-annotatable" not in page
    assert "Mine" not in page


def test_an_analyst_gets_the_tagging_panel_and_the_script(client, analyst, seeded):
    client.force_login(analyst)
    page = client.get(seeded.get_absolute_url()).content.decode()
    assert 'id="tagger"' in page and "data-annotatable" in page
    assert "/static/js/annotate.js" in page
    assert "<script>" not in page  # no inline scripts


def _long_article(n: int, user, *, with_conditions: bool = True):
    text = " ".join(f"Sentence {i:04d} says something." for i in range(n))
    article = ArticleFactory(text=text)
    speaker = ActorFactory()
    for i in range(n):
        conditions = [{"description": f"condition {i}"}] if with_conditions and i % 3 == 0 else ()
        StatementFactory(
            article=article,
            user=user,
            quote=f"Sentence {i:04d} says something.",
            speaker=speaker.pk,
            addressee=speaker.pk if i % 2 else None,
            conditions=conditions,
        )
    return article


@pytest.mark.parametrize("n", [3, 300])
def test_the_article_page_issues_a_fixed_number_of_queries(client, analyst, django_assert_num_queries, n):
    article = _long_article(n, analyst)
    client.force_login(analyst)
    # 1 session, 2 user, 3 article, 4 the statements as rows (speaker, addressee, annotator and
    # conditions joined), 5 the user's assignment (blind notice, finish button)
    # +1: the previous / next document and the next one
    # without a statement of mine (selectors/projects.py, neighbours); +3 on the first visit
    # only: the session remembers the article's project (savepoint, update, release)
    with django_assert_num_queries(6 + 3):
        response = client.get(article.get_absolute_url())
    assert response.content.decode().count('class="statement ') == n
    # a statement open in the panel comes from the same rows; 6 its verdicts, 7 its comments
    chosen = article.statements.order_by("-pk").first()
    with django_assert_num_queries(7 + 1):  # previous / next
        response = client.get(f"{article.get_absolute_url()}?statement={chosen.pk}")
    assert f'data-selected="{chosen.pk}"' in response.content.decode()
    # its edit form needs the statement itself: 6 the statement (speaker, addressee, annotator
    # joined), 7 its conditions; and shows the verdicts (8) and discussion (9) as the brief
    with django_assert_num_queries(9 + 1):  # previous / next
        client.get(f"{article.get_absolute_url()}?statement={chosen.pk}&edit=1")


@pytest.mark.parametrize("n", [3, 300])
def test_saving_a_statement_issues_a_fixed_number_of_queries(client, analyst, django_assert_num_queries, n):
    article = _long_article(n, analyst)
    speaker = ActorFactory()
    client.force_login(analyst)
    quote = "Sentence 0001 says"
    start = article.text.index(quote)
    data = {
        "start_u16": start,
        "end_u16": start + len(quote),
        "quote": quote,
        "stance": "demand",
        "speaker": speaker.pk,
        "condition": ["Talks first"],
        "condition_id": [""],
        "condition_ev_start": [""],
        "condition_ev_end": [""],
        "condition_ev_quote": [""],
    }
    # 1 session, 2 user with their memberships, 3 article; the write
    # (services.statement_create): 4 savepoint, 5 the speaker, 6 insert the statement, 7 insert
    # its condition, 8 insert its history event, 9 release; the answer, only what changed
    # (out-of-band swaps, views/annotate._after_save): 10 the stance counts, the statements
    # overlapping the new one as rows (the panel shows the new one from them: no verdicts or
    # comments to ask for yet) and where its list entry goes, in one (workspace.saved_view)
    with django_assert_num_queries(10):
        response = client.post(
            reverse("statement_create", args=[article.pk]), data, headers={**HX, "HX-Target": "workspace"}
        )
    assert response.status_code == 200 and response["HX-Reswap"] == "none"
    assert article.statements.count() == n + 1
    assert response.content.decode().count('class="statement ') == 1  # never the whole list


@pytest.mark.parametrize("n", [3, 300])
def test_the_panel_fragment_issues_a_fixed_number_of_queries(client, analyst, django_assert_num_queries, n):
    article = _long_article(n, analyst)
    chosen = article.statements.order_by("-pk").first()
    client.force_login(analyst)
    # 1 session, 2 user, 3 article, 4 the chosen statement's row (with its conditions),
    # 5 its verdicts, 6 its comments
    with django_assert_num_queries(6):  # the memberships come with the user
        response = client.get(
            f"{article.get_absolute_url()}?statement={chosen.pk}", headers={**HX, "HX-Target": "panel"}
        )
    assert f'data-selected="{chosen.pk}"' in response.content.decode()


def test_a_lead_issues_the_same_queries(client, lead, analyst, django_assert_num_queries):
    article = _long_article(3, analyst)
    client.force_login(lead)
    # session, user, article, statements (with their conditions), the lead's own assignment
    # (a lead may annotate an article as one of its analysts, and finish it)
    # +1: previous / next document, next without a statement of mine; +3: the session
    # remembers the project (first visit)
    with django_assert_num_queries(6 + 3):
        client.get(article.get_absolute_url())


def test_the_workspace_fragment_answers_htmx_with_a_fixed_number_of_queries(
    client, analyst, django_assert_num_queries
):
    article = _long_article(30, analyst)
    client.force_login(analyst)
    # as the full page, less the blind-assignment check (its notice is outside the fragment);
    # the memberships come with the user
    with django_assert_num_queries(4):
        response = client.get(article.get_absolute_url(), headers={**HX, "HX-Target": "workspace"})
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="workspace"')
    assert "<html" not in page
    assert "HX-Request" in response["Vary"]


def test_a_history_restore_request_gets_the_whole_page(client, analyst, seeded):
    client.force_login(analyst)
    headers = {**HX, "HX-Target": "workspace", "HX-History-Restore-Request": "true"}
    assert "<html" in client.get(seeded.get_absolute_url(), headers=headers).content.decode()


def test_mine_shows_only_the_analysts_own_statements(client, analyst, other_analyst):
    article = ArticleFactory()
    mine = StatementFactory(article=article, user=analyst, quote=QUOTE)
    theirs = StatementFactory(article=article, user=other_analyst, quote="very promising")
    client.force_login(analyst)
    everyone = client.get(article.get_absolute_url()).content.decode()
    assert f'id="statement-{mine.pk}"' in everyone and f'id="statement-{theirs.pk}"' in everyone
    only_mine = client.get(f"{article.get_absolute_url()}?show=mine").content.decode()
    assert f'id="statement-{mine.pk}"' in only_mine and f'id="statement-{theirs.pk}"' not in only_mine
    assert f'data-ids="{theirs.pk}"' not in only_mine


def test_the_panel_fragment_shows_one_statement_read_only_to_others(client, analyst, other_analyst):
    statement = StatementFactory(user=analyst, quote=QUOTE, conditions=[{"description": "only in principle"}])
    client.force_login(other_analyst)
    response = client.get(
        f"{statement.article.get_absolute_url()}?statement={statement.pk}&edit=1",
        headers={**HX, "HX-Target": "panel"},
    )
    page = response.content.decode()
    assert page.lstrip().startswith('<section id="panel"')
    assert QUOTE in page and "only in principle" in page
    assert "Read-only" in page
    assert reverse("statement_update", args=[statement.pk]) not in page
    assert reverse("statement_delete", args=[statement.pk]) not in page


def test_the_owner_gets_edit_and_delete_and_the_edit_form(client, analyst):
    statement = StatementFactory(user=analyst, quote=QUOTE, conditions=[{"description": "only in principle"}])
    client.force_login(analyst)
    url = f"{statement.article.get_absolute_url()}?statement={statement.pk}"
    read = client.get(url, headers={**HX, "HX-Target": "panel"}).content.decode()
    assert reverse("statement_delete", args=[statement.pk]) in read and "edit=1" in read
    edit = client.get(f"{url}&edit=1", headers={**HX, "HX-Target": "panel"}).content.decode()
    assert reverse("statement_update", args=[statement.pk]) in edit
    assert 'value="support" id="edit-stance-support" data-key="1" checked' in edit
    assert 'value="only in principle"' in edit
    # also as a plain page (no JavaScript needed to reach the edit form)
    assert reverse("statement_update", args=[statement.pk]) in client.get(f"{url}&edit=1").content.decode()


def test_a_lead_may_edit_anyones_statement(client, analyst, lead):
    statement = StatementFactory(user=analyst, quote=QUOTE)
    client.force_login(lead)
    url = f"{statement.article.get_absolute_url()}?statement={statement.pk}&edit=1"
    page = client.get(url, headers={**HX, "HX-Target": "panel"}).content.decode()
    assert reverse("statement_update", args=[statement.pk]) in page


def test_others_statements_stay_hidden_on_a_blind_assignment(client, analyst, other_analyst, lead):
    article = ArticleFactory()
    theirs = StatementFactory(article=article, user=other_analyst, quote="very promising")
    services.assignment_create(article=article, analyst=analyst, user=lead)
    client.force_login(analyst)
    page = client.get(f"{article.get_absolute_url()}?statement={theirs.pk}").content.decode()
    assert "annotating this article blind" in page
    assert f"statement-{theirs.pk}" not in page and f'data-ids="{theirs.pk}"' not in page
    panel = client.get(
        f"{article.get_absolute_url()}?statement={theirs.pk}", headers={**HX, "HX-Target": "panel"}
    ).content.decode()
    assert "very promising" not in panel
    response = client.post(reverse("statement_update", args=[theirs.pk]), {"stance": "demand"})
    assert response.status_code == 404


# ---- Creating a statement ------------------------------------------------------------------


def test_it_saves_a_statement_and_answers_htmx_with_the_new_workspace(client, analyst):
    article = ArticleFactory()
    speaker = ActorFactory(name="Vladimir Putin")
    client.force_login(analyst)
    payload = create_payload(
        article,
        QUOTE,
        speaker=speaker.pk,
        note="direct quote",
        condition=["in principle only", ""],
        condition_id=["", ""],
        condition_ev_start=["", ""],
        condition_ev_end=["", ""],
        condition_ev_quote=["", ""],
    )
    response = client.post(reverse("statement_create", args=[article.pk]), payload, headers=HX)
    assert response.status_code == 200
    statement = Statement.objects.get()
    assert (statement.quote, statement.stance, statement.speaker, statement.annotator) == (
        QUOTE,
        "caveat",
        speaker,
        analyst,
    )
    assert article.text[statement.start : statement.end] == QUOTE
    assert [c.description for c in statement.conditions.all()] == ["in principle only"]  # blank row dropped
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="workspace"')
    assert f'data-ids="{statement.pk}"' in page and f'id="statement-{statement.pk}"' in page
    assert f'data-selected="{statement.pk}"' in page
    assert json.loads(response["HX-Trigger"]) == {"annotator:status": {"message": "Statement saved."}}


def test_a_plain_form_post_redirects_back_to_the_statement(client, analyst):
    article = ArticleFactory()
    client.force_login(analyst)
    response = client.post(reverse("statement_create", args=[article.pk]), create_payload(article, QUOTE))
    statement = Statement.objects.get()
    assert response.status_code == 302
    assert (
        response["Location"]
        == f"{article.get_absolute_url()}?statement={statement.pk}#statement-{statement.pk}"
    )


def test_it_converts_browser_offsets_after_astral_characters_once(client, analyst):
    article = ArticleFactory(text=EMOJI_TEXT)
    client.force_login(analyst)
    start = EMOJI_TEXT.index(QUOTE)
    evidence = "nothing more"
    ev_start = EMOJI_TEXT.index(evidence)
    payload = create_payload(
        article,
        QUOTE,
        condition=["nothing more"],
        condition_id=[""],
        condition_ev_start=[str(u16(EMOJI_TEXT, ev_start))],
        condition_ev_end=[str(u16(EMOJI_TEXT, ev_start + len(evidence)))],
        condition_ev_quote=[evidence],
    )
    assert payload["start_u16"] == start + 5  # what the browser sends differs from code points
    response = client.post(reverse("statement_create", args=[article.pk]), payload, headers=HX)
    assert response.status_code == 200
    statement = Statement.objects.get()
    assert (statement.start, statement.end) == (start, start + len(QUOTE))
    condition = statement.conditions.get()
    assert (condition.evidence_start, condition.evidence_end) == (ev_start, ev_start + len(evidence))
    assert EMOJI_TEXT[condition.evidence_start : condition.evidence_end] == evidence
    assert f">{QUOTE}</mark>" in response.content.decode()


def test_code_point_offsets_sent_as_utf16_are_refused_not_misplaced(client, analyst):
    """A client that (wrongly) sends code points after an emoji gets an error, never a shifted span."""
    article = ArticleFactory(text=EMOJI_TEXT)
    client.force_login(analyst)
    start = EMOJI_TEXT.index(QUOTE)
    payload = {**create_payload(article, QUOTE), "start_u16": start, "end_u16": start + len(QUOTE)}
    response = client.post(reverse("statement_create", args=[article.pk]), payload, headers=HX)
    assert response.status_code == 422
    assert "does not match the article text" in response.content.decode()
    assert Statement.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"quote": "We agree with the proposal to cease hostilities!"}, "does not match the article text"),
        ({"start_u16": 5000, "end_u16": 5010}, "past the end of the article"),
        ({"end_u16": 100_000}, "past the end of the article"),
        ({"start_u16": -4}, "must be 0 or more"),
        ({"start_u16": ""}, "Select the quote in the text first"),
        ({"start_u16": "abc"}, "Enter a whole number"),
        ({"speaker": "999999"}, "There is no actor with id 999999"),
        ({"addressee": "putin"}, "is not an actor id"),
        ({"stance": ""}, "Choose a stance"),
        ({"stance": "neutral"}, "is not a stance"),
    ],
)
def test_bad_input_is_a_form_error_and_stores_nothing(client, analyst, change, message):
    article = ArticleFactory()
    client.force_login(analyst)
    before = counts()
    payload = {**create_payload(article, QUOTE), **change}
    response = client.post(reverse("statement_create", args=[article.pk]), payload, headers=HX)
    assert response.status_code == 422
    page = response.content.decode()
    assert html.escape(message, quote=False) in page or message in html.unescape(page), page
    assert page.lstrip().startswith('<section id="tagger"')
    assert response["HX-Retarget"] == "#tagger" and response["HX-Reswap"] == "outerHTML"
    assert counts() == before


def test_a_selection_boundary_inside_an_emoji_is_refused(client, analyst):
    article = ArticleFactory(text=EMOJI_TEXT)
    client.force_login(analyst)
    emoji_at = u16(EMOJI_TEXT, EMOJI_TEXT.index("😀"))
    payload = {**create_payload(article, QUOTE), "start_u16": emoji_at + 1}
    response = client.post(reverse("statement_create", args=[article.pk]), payload, headers=HX)
    assert response.status_code == 422
    assert "falls inside a character" in response.content.decode()
    assert Statement.objects.count() == 0


def test_bad_condition_evidence_is_refused(client, analyst):
    article = ArticleFactory()
    client.force_login(analyst)
    payload = create_payload(
        article,
        QUOTE,
        condition=["x"],
        condition_id=[""],
        condition_ev_start=["0"],
        condition_ev_end=["5"],
        condition_ev_quote=["not the text"],
    )
    response = client.post(reverse("statement_create", args=[article.pk]), payload, headers=HX)
    assert response.status_code == 422
    assert "Condition 1" in html.unescape(response.content.decode())
    assert counts() == (0, 0, 0)


def test_the_form_keeps_what_was_typed_when_it_comes_back_with_errors(client, analyst):
    article = ArticleFactory()
    speaker = ActorFactory(name="Vladimir Putin")
    client.force_login(analyst)
    payload = create_payload(
        article,
        QUOTE,
        speaker=speaker.pk,
        note="my note",
        condition=["keep me"],
        condition_id=[""],
        condition_ev_start=[""],
        condition_ev_end=[""],
        condition_ev_quote=[""],
    )
    payload["quote"] = "wrong"
    page = client.post(reverse("statement_create", args=[article.pk]), payload, headers=HX).content.decode()
    assert "Vladimir Putin" in page and "my note" in page and 'value="keep me"' in page
    assert 'value="caveat" id="new-stance-caveat" data-key="2" checked' in page


def test_a_plain_post_with_errors_renders_the_page_with_the_form_open(client, analyst):
    article = ArticleFactory()
    client.force_login(analyst)
    response = client.post(
        reverse("statement_create", args=[article.pk]), {**create_payload(article, QUOTE), "quote": "x"}
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "<html" in page and "Nothing was saved" in page
    assert '<section id="tagger" class="card tagger" aria-labelledby="tagger-heading">' in page  # not hidden


def test_mismatched_condition_lists_are_refused(client, analyst):
    article = ArticleFactory()
    client.force_login(analyst)
    payload = create_payload(article, QUOTE, condition=["a", "b"], condition_id=[""])
    response = client.post(reverse("statement_create", args=[article.pk]), payload, headers=HX)
    assert response.status_code == 422
    assert Statement.objects.count() == 0


def test_a_viewer_cannot_create(client, viewer):
    article = ArticleFactory()
    client.force_login(viewer)
    response = client.post(reverse("statement_create", args=[article.pk]), create_payload(article, QUOTE))
    assert response.status_code == 403
    assert counts() == (0, 0, 0)


def test_create_needs_post(client, analyst):
    article = ArticleFactory()
    client.force_login(analyst)
    assert client.get(reverse("statement_create", args=[article.pk])).status_code == 405


# ---- Editing and deleting ----------------------------------------------------------------


def _edit_payload(statement, **changes):
    data = {
        "stance": statement.stance,
        "speaker": statement.speaker_id or "",
        "addressee": statement.addressee_id or "",
        "note": statement.note,
        "version": statement.version,
    }
    rows = [(c.description, str(c.pk), "", "", c.evidence_quote) for c in statement.conditions.all()]
    data.update(
        condition=[r[0] for r in rows],
        condition_id=[r[1] for r in rows],
        condition_ev_start=[r[2] for r in rows],
        condition_ev_end=[r[3] for r in rows],
        condition_ev_quote=[r[4] for r in rows],
    )
    data.update(changes)
    return data


def _with_evidence(user):
    article = ArticleFactory()
    start = article.text.index("cease hostilities")
    return StatementFactory(
        article=article,
        user=user,
        quote=QUOTE,
        conditions=[
            {
                "description": "hostilities cease",
                "evidence_start": start,
                "evidence_end": start + len("cease hostilities"),
                "evidence_quote": "cease hostilities",
            }
        ],
    )


def test_the_owner_edits_the_stance_and_keeps_condition_evidence(client, analyst):
    statement = _with_evidence(analyst)
    client.force_login(analyst)
    response = client.post(
        reverse("statement_update", args=[statement.pk]),
        _edit_payload(statement, stance="demand"),
        headers=HX,
    )
    assert response.status_code == 200
    statement.refresh_from_db()
    assert (statement.stance, statement.version) == ("demand", 2)
    condition = statement.conditions.get()
    assert (condition.description, condition.evidence_quote) == ("hostilities cease", "cease hostilities")
    assert condition.evidence_start == statement.article.text.index("cease hostilities")
    assert json.loads(response["HX-Trigger"])["annotator:status"]["message"] == "Statement updated."


def test_the_owner_replaces_conditions_and_adds_new_evidence(client, analyst):
    statement = _with_evidence(analyst)
    client.force_login(analyst)
    text = statement.article.text
    ev = text.index("very promising")
    payload = _edit_payload(statement)
    payload.update(
        condition=["promising, says Trump"],
        condition_id=[""],
        condition_ev_start=[str(ev)],
        condition_ev_end=[str(ev + len("very promising"))],
        condition_ev_quote=["very promising"],
    )
    response = client.post(reverse("statement_update", args=[statement.pk]), payload, headers=HX)
    assert response.status_code == 200
    assert [(c.description, c.evidence_quote) for c in statement.conditions.all()] == [
        ("promising, says Trump", "very promising")
    ]


def test_a_plain_edit_redirects_back(client, analyst):
    statement = StatementFactory(user=analyst, quote=QUOTE)
    client.force_login(analyst)
    response = client.post(
        reverse("statement_update", args=[statement.pk]), _edit_payload(statement, stance="demand")
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"?statement={statement.pk}#statement-{statement.pk}")


def test_another_analyst_cannot_edit_or_delete(client, analyst, other_analyst):
    statement = _with_evidence(analyst)
    client.force_login(other_analyst)
    before = counts()
    response = client.post(
        reverse("statement_update", args=[statement.pk]), _edit_payload(statement, stance="demand")
    )
    assert response.status_code == 403
    response = client.post(reverse("statement_delete", args=[statement.pk]), headers=HX)
    assert response.status_code == 403
    statement.refresh_from_db()
    assert (statement.stance, statement.version) == ("support", 1)
    assert counts() == before


def test_a_viewer_cannot_edit_or_delete(client, analyst, viewer):
    statement = StatementFactory(user=analyst, quote=QUOTE)
    client.force_login(viewer)
    assert (
        client.post(reverse("statement_update", args=[statement.pk]), _edit_payload(statement)).status_code
        == 403
    )
    assert client.post(reverse("statement_delete", args=[statement.pk])).status_code == 403
    assert Statement.objects.filter(pk=statement.pk).exists()


def test_a_lead_edits_and_deletes_anyones_statement(client, analyst, lead):
    statement = StatementFactory(user=analyst, quote=QUOTE)
    client.force_login(lead)
    response = client.post(
        reverse("statement_update", args=[statement.pk]),
        _edit_payload(statement, stance="caveat"),
        headers=HX,
    )
    assert response.status_code == 200
    statement.refresh_from_db()
    assert statement.stance == "caveat"
    response = client.post(reverse("statement_delete", args=[statement.pk]), headers=HX)
    assert response.status_code == 200
    assert not Statement.objects.filter(pk=statement.pk).exists()


def test_a_stale_edit_is_refused_with_a_message(client, analyst):
    statement = StatementFactory(user=analyst, quote=QUOTE)
    client.force_login(analyst)
    stale = _edit_payload(statement, stance="demand")
    services.statement_update(statement=statement, user=analyst, note="changed elsewhere")
    response = client.post(reverse("statement_update", args=[statement.pk]), stale, headers=HX)
    assert response.status_code == 422
    assert response["HX-Retarget"] == "#panel"
    assert "Someone changed this statement" in response.content.decode()
    statement.refresh_from_db()
    assert statement.stance == "support"


def test_an_edit_with_an_unknown_actor_changes_nothing(client, analyst):
    statement = StatementFactory(user=analyst, quote=QUOTE)
    client.force_login(analyst)
    response = client.post(
        reverse("statement_update", args=[statement.pk]),
        _edit_payload(statement, speaker="424242"),
        headers=HX,
    )
    assert response.status_code == 422
    assert "There is no actor with id 424242" in response.content.decode()
    statement.refresh_from_db()
    assert (statement.speaker_id, statement.version) == (None, 1)


def test_the_owner_deletes_and_gets_the_workspace_back(client, analyst):
    statement = StatementFactory(user=analyst, quote=QUOTE)
    client.force_login(analyst)
    response = client.post(reverse("statement_delete", args=[statement.pk]), {"show": "mine"}, headers=HX)
    assert response.status_code == 200
    assert not Statement.objects.filter(pk=statement.pk).exists()
    page = response.content.decode()
    assert f'data-ids="{statement.pk}"' not in page and 'data-show="mine"' in page
    assert StatementEvent.objects.filter(statement_ref=statement.pk, action="deleted").exists()


def test_a_plain_delete_redirects_to_the_article(client, analyst):
    statement = StatementFactory(user=analyst, quote=QUOTE)
    client.force_login(analyst)
    response = client.post(reverse("statement_delete", args=[statement.pk]))
    assert response.status_code == 302
    assert response["Location"] == statement.article.get_absolute_url()


def test_signed_out_writes_redirect_and_change_nothing(client, analyst):
    statement = StatementFactory(user=analyst, quote=QUOTE)
    article = statement.article
    for url in (
        reverse("statement_create", args=[article.pk]),
        reverse("statement_update", args=[statement.pk]),
        reverse("statement_delete", args=[statement.pk]),
    ):
        response = client.post(url, create_payload(article, QUOTE))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert Statement.objects.count() == 1


class _S:
    def __init__(self, pk, start, end):
        self.pk, self.start, self.end = pk, start, end


def test_segments_split_overlapping_and_nested_spans():
    text = "abcdefghij"
    segs = segments(text, [_S(1, 0, 6), _S(2, 2, 4), _S(3, 5, 9)])
    assert "".join(s.text for s in segs) == text
    assert [(s.start, s.end, [x.pk for x in s.spans]) for s in segs] == [
        (0, 2, [1]),
        (2, 4, [1, 2]),
        (4, 5, [1]),
        (5, 6, [1, 3]),
        (6, 9, [3]),
        (9, 10, []),
    ]


def test_it_escapes_user_text(client, analyst):
    article = services.article_create(
        user=analyst, title="<script>alert(1)</script>", text="<b>bold</b> & more"
    )
    StatementFactory(article=article, user=analyst, quote="<b>bold</b>", note="<i>note</i>")
    client.force_login(analyst)
    response = client.get(article.get_absolute_url())
    page = response.content.decode()
    assert "<script>alert(1)</script>" not in page and "<b>bold</b>" not in page
    assert "&lt;b&gt;bold&lt;/b&gt;</mark> &amp; more" in page
    assert text_container(response) == "<b>bold</b> & more"


def test_deleting_a_statement_a_gold_one_came_from_is_refused_with_a_message(client, analyst, lead):
    statement = StatementFactory(user=analyst, quote=QUOTE)
    services.statement_adjudicate(
        article=statement.article,
        user=lead,
        sources=[statement],
        start=statement.start,
        end=statement.end,
        quote=statement.quote,
        stance="support",
    )
    client.force_login(analyst)
    for headers in (HX, {}):
        response = client.post(reverse("statement_delete", args=[statement.pk]), headers=headers)
        assert response.status_code == 422
        assert "ask a lead" in response.content.decode()
    assert Statement.objects.filter(pk=statement.pk).exists()
