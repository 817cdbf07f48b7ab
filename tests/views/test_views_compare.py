"""The Compare page: analysts' versions aligned unit by unit; a lead makes gold statements
(one analyst's version, a merged one, or every agreed unit at once). Everyone else may only
read it, and only for articles they do not annotate blind."""

import html
import re

import pytest
from django.urls import reverse

from statements import services
from statements.models import Statement, StatementEvent
from statements.services.adjudication import unit_dismiss
from tests.factories import ArticleFactory, StatementFactory

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


def _url(d, name="article_compare"):
    return reverse(name, args=[d["article"].pk])


def _sources(*statements):
    return [s.pk for s in statements]


def _gold_count():
    return Statement.objects.filter(is_gold=True).count()


# ---- Who may see and do what ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["article_compare", "article_adjudicate", "article_accept_agreed"])
def test_it_redirects_anonymous_users_to_sign_in(client, double_annotated, name):
    url = _url(double_annotated, name)
    response = client.get(url) if name == "article_compare" else client.post(url, {"source": [1]})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert _gold_count() == 0


def test_a_signed_out_htmx_request_is_sent_to_sign_in_with_hx_redirect(client, double_annotated):
    response = client.post(_url(double_annotated, "article_accept_agreed"), headers=HX)
    assert response.status_code == 200 and response["HX-Redirect"].startswith(reverse("login"))
    assert _gold_count() == 0


def test_it_shows_a_lead_every_unit_with_the_disagreements_marked(client, lead, double_annotated):
    client.force_login(lead)
    page = client.get(_url(double_annotated)).content.decode()
    assert "Compare and adjudicate" in page
    assert page.count("data-unit>") == 5
    assert "<strong>3</strong> to decide" in page and "<strong>2</strong> agreed, not yet gold" in page
    assert "Accept 2 agreed units as gold <kbd>g</kbd>" in page
    # the stance disagreement: both versions, the stance marked as differing
    stance_unit = page[page.index(f'id="unit-{double_annotated["stance_a"].pk}"') :]
    stance_unit = stance_unit[: stance_unit.index("</li>")]
    assert '<span class="diff-tag">stance</span>' in stance_unit
    assert "Use Amira’s" in stance_unit and "Use Ben’s" in stance_unit
    # span, speaker; and the unit only Amira marked
    assert '<span class="diff-tag">span boundaries</span>' in page
    assert '<span class="diff-tag">speaker</span>' in page
    assert "Ben did not mark this." in page
    # agreed units are folded, the ones to decide open
    agreed = page[page.index(f'id="unit-{double_annotated["agree1_a"].pk}"') :]
    assert agreed[: agreed.index("</summary>")].count("<details open>") == 0


@pytest.mark.parametrize("who", ["analyst", "viewer"])
def test_others_read_it_without_actions_when_not_blind(client, double_annotated, who, request):
    client.force_login(request.getfixturevalue(who))
    response = client.get(_url(double_annotated))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Compare the analysts" in page and "Use Amira’s" not in page and "data-accept-agreed" not in page
    assert "Edit a merged version" not in page


def test_an_analyst_annotating_blind_gets_403(client, lead, analyst, double_annotated):
    services.assignment_create(article=double_annotated["article"], analyst=analyst, user=lead)
    client.force_login(analyst)
    assert client.get(_url(double_annotated)).status_code == 403
    services.assignment_finish(article=double_annotated["article"], user=analyst)
    assert client.get(_url(double_annotated)).status_code == 200


@pytest.mark.parametrize("who", ["analyst", "viewer"])
def test_only_a_lead_adjudicates_and_a_refusal_changes_nothing(client, double_annotated, who, request):
    d = double_annotated
    client.force_login(request.getfixturevalue(who))
    events = StatementEvent.objects.count()
    pick = {"source": _sources(d["stance_a"], d["stance_b"]), "use": d["stance_a"].pk}
    assert client.post(_url(d, "article_adjudicate"), pick).status_code == 403
    assert client.post(_url(d, "article_adjudicate"), pick, headers=HX).status_code == 403
    assert client.post(_url(d, "article_accept_agreed")).status_code == 403
    assert _gold_count() == 0 and StatementEvent.objects.count() == events


def test_a_get_cannot_write(client, lead, double_annotated):
    client.force_login(lead)
    assert client.get(_url(double_annotated, "article_accept_agreed")).status_code == 405
    assert _gold_count() == 0


# ---- Picking one analyst's version ------------------------------------------------------------


def test_a_lead_picks_one_version_and_gets_a_gold_statement_linked_to_the_sources(
    client, lead, double_annotated
):
    d = double_annotated
    client.force_login(lead)
    data = {"source": _sources(d["stance_a"], d["stance_b"]), "use": d["stance_b"].pk}
    response = client.post(_url(d, "article_adjudicate"), data)
    gold = Statement.objects.get(is_gold=True)
    assert response.status_code == 302
    assert response["Location"] == f"{_url(d)}#unit-{d['stance_a'].pk}"
    assert set(gold.adjudicated_from.all()) == {d["stance_a"], d["stance_b"]}
    assert (gold.stance, gold.quote, gold.speaker, gold.annotator) == (
        "caveat",
        "do the right thing",
        d["trump"],
        lead,
    )
    assert gold.status == "accepted"
    page = client.get(response["Location"]).content.decode()
    assert f"Gold statement #{gold.pk} saved." in page
    unit = page[page.index(f'id="unit-{d["stance_a"].pk}"') :]
    unit = unit[: unit.index("</li>")]
    assert 'class="unit st-gold"' in page and "gold-card" in unit and "Use Amira’s" not in unit


def test_a_pick_copies_the_conditions_with_their_evidence(client, lead, analyst, other_analyst):
    article = ArticleFactory()
    quote = "We agree with the proposals to cease hostilities"
    evidence = "cease hostilities"
    start = article.text.index(evidence)
    condition = {
        "description": "Hostilities cease",
        "evidence_start": start,
        "evidence_end": start + len(evidence),
        "evidence_quote": evidence,
    }
    a = StatementFactory(article=article, user=analyst, quote=quote, conditions=[condition])
    b = StatementFactory(article=article, user=other_analyst, quote=quote, stance="caveat")
    client.force_login(lead)
    url = reverse("article_adjudicate", args=[article.pk])
    client.post(url, {"source": [a.pk, b.pk], "use": a.pk})
    gold = Statement.objects.get(is_gold=True)
    (c,) = gold.conditions.all()
    assert (c.description, c.evidence_start, c.evidence_quote) == ("Hostilities cease", start, evidence)


def test_htmx_gets_the_fresh_compare_fragment_and_a_status_message(client, lead, double_annotated):
    d = double_annotated
    client.force_login(lead)
    data = {"source": _sources(d["stance_a"], d["stance_b"]), "use": d["stance_a"].pk}
    response = client.post(_url(d, "article_adjudicate"), data, headers={**HX, "HX-Target": "compare"})
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="compare"') and "<html" not in page
    assert "Gold statement #" in response["HX-Trigger"]
    assert "<strong>2</strong> to decide" in page and "<strong>1</strong> gold" in page


def test_a_unit_adjudicated_meanwhile_is_refused_inline(client, lead, double_annotated):
    d = double_annotated
    client.force_login(lead)
    data = {"source": _sources(d["stance_a"], d["stance_b"]), "use": d["stance_a"].pk}
    client.post(_url(d, "article_adjudicate"), data)
    response = client.post(_url(d, "article_adjudicate"), {**data, "use": d["stance_b"].pk}, headers=HX)
    page = response.content.decode()
    assert response.status_code == 422
    assert response["HX-Retarget"] == f"#unit-{d['stance_a'].pk}"
    assert page.lstrip().startswith(f'<li id="unit-{d["stance_a"].pk}"')
    assert "Nothing was saved." in page and "Already adjudicated into gold statement" in page
    assert _gold_count() == 1


def test_a_version_from_outside_the_unit_is_refused(client, lead, double_annotated):
    d = double_annotated
    client.force_login(lead)
    data = {"source": _sources(d["stance_a"], d["stance_b"]), "use": d["agree1_a"].pk}
    response = client.post(_url(d, "article_adjudicate"), data)
    assert response.status_code == 422
    assert "no longer one of this unit" in response.content.decode()
    assert _gold_count() == 0


# ---- The merged version -----------------------------------------------------------------------


def test_the_merged_form_opens_on_one_unit_prefilled_from_a_chosen_version(client, lead, double_annotated):
    d = double_annotated
    client.force_login(lead)
    key = d["span_a"].pk
    url = f"{_url(d)}?edit={key}&from={d['span_b'].pk}"
    response = client.get(url, headers={**HX, "HX-Target": f"unit-{key}"})
    page = response.content.decode()
    assert page.lstrip().startswith(f'<li id="unit-{key}"') and "<html" not in page
    assert "starting from Ben’s" in page
    assert 'data-gold-quote tabindex="0"' in page and ">We agree with the proposals</blockquote>" in page
    assert f'name="start" value="{d["span_b"].start}"' in page
    assert 'name="quote" value="We agree with the proposals"' in page
    # the text to select the span in: the paragraph around the unit, with its offset
    article = d["article"]
    excerpt = re.search(r'data-gold-text data-offset="(\d+)"[^>]*>([^<]*)</div>', page)
    offset, shown = int(excerpt[1]), html.unescape(excerpt[2])
    assert article.text[offset : offset + len(shown)] == shown and d["span_a"].quote in shown
    assert 'value="" selected' not in page  # no speaker: "Unknown speaker" is the default
    assert response["Vary"].count("HX-Target") == 1
    # the same as a plain link: the whole page, that unit's form open
    page = client.get(url).content.decode()
    assert "<html" in page and page.count("data-merged") == 1


def test_a_unit_that_is_gone_refreshes_the_whole_list(client, lead, double_annotated):
    client.force_login(lead)
    response = client.get(f"{_url(double_annotated)}?edit=999999", headers={**HX, "HX-Target": "unit-999999"})
    assert response["HX-Retarget"] == "#compare"
    assert response.content.decode().lstrip().startswith('<div id="compare"')


def test_a_merged_version_with_a_bad_quote_is_refused_inline_and_nothing_is_stored(
    client, lead, double_annotated
):
    d = double_annotated
    client.force_login(lead)
    a = d["span_a"]
    data = {
        "source": _sources(a, d["span_b"]),
        "start": a.start,
        "end": a.end,
        "quote": "We agree with the proposal to cease hostilities",  # one letter off
        "stance": "caveat",
        "speaker": d["putin"].pk,
        "conditions": "",
    }
    response = client.post(_url(d, "article_adjudicate"), data, headers=HX)
    page = response.content.decode()
    assert response.status_code == 422
    assert response["HX-Retarget"] == f"#unit-{a.pk}" and response["HX-Reswap"] == "outerHTML"
    assert "Nothing was saved." in page and "The quote does not match the article text" in page
    assert "data-merged" in page and "We agree with the proposal to cease hostilities</blockquote>" in page
    assert _gold_count() == 0
    # a plain form gets the whole page back, the form open with the error
    response = client.post(_url(d, "article_adjudicate"), data)
    assert response.status_code == 422 and "The quote does not match" in response.content.decode()
    assert _gold_count() == 0


def test_a_merged_version_is_saved_and_keeps_a_conditions_evidence(client, lead, analyst, other_analyst):
    article = ArticleFactory()
    quote = "We agree with the proposals to cease hostilities"
    evidence = "cease hostilities"
    ev = article.text.index(evidence)
    a = StatementFactory(
        article=article,
        user=analyst,
        quote=quote,
        conditions=[
            {
                "description": "Hostilities cease",
                "evidence_start": ev,
                "evidence_end": ev + len(evidence),
                "evidence_quote": evidence,
            }
        ],
    )
    b = StatementFactory(
        article=article, user=other_analyst, quote="We agree with the proposals", stance="demand"
    )
    client.force_login(lead)
    data = {
        "source": [a.pk, b.pk],
        "start": a.start,
        "end": a.end,
        "quote": quote,
        "stance": "caveat",
        "speaker": "",
        "addressee": "",
        "note": "Merged: Amira's span, Ben's doubt.",
        "conditions": "hostilities   CEASE\r\nTalks continue\r\n\r\n",
    }
    response = client.post(reverse("article_adjudicate", args=[article.pk]), data)
    assert response.status_code == 302
    gold = Statement.objects.get(is_gold=True)
    assert (gold.stance, gold.quote, gold.note) == ("caveat", quote, "Merged: Amira's span, Ben's doubt.")
    assert set(gold.adjudicated_from.all()) == {a, b}
    kept, new = gold.conditions.order_by("position")
    assert (kept.description, kept.evidence_start, kept.evidence_quote) == ("hostilities CEASE", ev, evidence)
    assert (new.description, new.evidence_start) == ("Talks continue", None)


def test_a_quote_across_a_line_break_survives_the_browsers_crlf(client, lead, analyst, other_analyst):
    article = services.article_create(
        user=None, title="Two lines", text="First line said.\nSecond line said."
    )
    quote = "said.\nSecond"
    start = article.text.index(quote)
    a = StatementFactory(article=article, user=analyst, quote=quote, start=start)
    b = StatementFactory(article=article, user=other_analyst, quote=quote, start=start, stance="demand")
    client.force_login(lead)
    data = {"source": [a.pk, b.pk], "start": start, "end": start + len(quote), "quote": "said.\r\nSecond"}
    client.post(reverse("article_adjudicate", args=[article.pk]), {**data, "stance": "support"})
    assert Statement.objects.get(is_gold=True).quote == quote


# ---- Accept everything agreed -------------------------------------------------------------------


def test_accept_agreed_makes_every_agreed_unit_gold_at_once(client, lead, double_annotated):
    d = double_annotated
    client.force_login(lead)
    response = client.post(_url(d, "article_accept_agreed"), headers={**HX, "HX-Target": "compare"})
    page = response.content.decode()
    golds = Statement.objects.filter(is_gold=True)
    assert response.status_code == 200 and "2 agreed units made gold." in response["HX-Trigger"]
    assert {g.quote for g in golds} == {"very promising", "Putin told reporters"}
    assert {s.pk for g in golds for s in g.adjudicated_from.all()} == set(
        _sources(d["agree1_a"], d["agree1_b"], d["agree2_a"], d["agree2_b"])
    )
    assert "<strong>0</strong> agreed, not yet gold" in page and "<strong>2</strong> gold" in page
    assert "data-accept-agreed disabled" in page
    response = client.post(_url(d, "article_accept_agreed"))
    assert response.status_code == 302 and _gold_count() == 2
    assert "Nothing to accept" in client.get(response["Location"]).content.decode()


# ---- Escaping and query counts --------------------------------------------------------------------


def test_it_escapes_user_text(client, lead, double_annotated):
    d = double_annotated
    services.statement_update(
        statement=d["stance_a"],
        user=lead,
        note="<script>alert(1)</script>",
        conditions=[{"description": "<b>x</b>"}],
    )
    client.force_login(lead)
    page = client.get(_url(d)).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page


def _many(article_text_words, analyst, other_analyst, n):
    article = services.article_create(
        user=None, title="Long", text=" ".join(f"Word{i}." for i in range(article_text_words))
    )
    for i in range(n):
        StatementFactory(article=article, user=analyst, quote=f"Word{i}.", conditions=[{"description": "c"}])
        StatementFactory(
            article=article,
            user=other_analyst,
            quote=f"Word{i}.",
            stance="caveat" if i % 3 else "support",
            conditions=[{"description": "c"}],
        )
    return article


@pytest.mark.parametrize("n", [3, 60])
def test_the_page_issues_a_fixed_number_of_queries(
    client, lead, analyst, other_analyst, django_assert_num_queries, n
):
    article = _many(100, analyst, other_analyst, n)
    assert services.gold_accept_agreed(article=article, user=lead)  # some units show their gold
    url = reverse("article_compare", args=[article.pk])
    client.force_login(lead)
    # 1 session, 2 user, 3 article, then alignment.compare_article: 4 assignments, 5 analyst
    # statements (speaker, addressee, annotator joined), 6 their conditions, 7 gold statements,
    # 8 gold conditions, 9 gold sources, 10 dismissed units (with who dismissed them)
    open_units = Statement.objects.filter(article=article, is_gold=False, gold_versions=None).order_by("pk")
    dismissed = open_units.last()
    unit_dismiss(article=article, user=lead, sources=[dismissed], reason="not a statement")
    with django_assert_num_queries(10):  # the memberships come with the user
        response = client.get(url)
    assert response.content.decode().count("data-unit>") == n
    assert response.content.decode().count('class="dismissed-card"') == 1
    # with a merged-version form open: 11 the actors for its speaker and addressee lists
    key = open_units[0].pk
    # projects: the project filter's choices and, on a first visit, the
    # session remembering the current project (+1 here, fixed whatever the data)
    with django_assert_num_queries(11):
        response = client.get(f"{url}?edit={key}")
    assert response.content.decode().count("data-merged") == 1
    # an analyst: the same, plus the blind-assignment check (session, user, article, blind, 7)
    client.force_login(analyst)
    # projects: the project filter's choices and, on a first visit, the
    # session remembering the current project (fixed whatever the data)
    with django_assert_num_queries(11):
        client.get(url)
