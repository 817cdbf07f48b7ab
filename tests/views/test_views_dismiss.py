"""Bug 7 of issue 10: a lead closes a unit by dismissing it with a reason (recorded in each
statement's history) instead of making gold; the statements of a closed unit (gold or dismissed)
leave the review queue, its badge, the dashboard's backlog and open units and the projects'
'awaiting review'; the Conditions page counts a unit once, or gold only, or every copy."""

import json
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from statements import services
from statements.models import EventAction, Statement, StatementEvent, UnitDismissal
from statements.selectors import queue
from statements.selectors.dashboard import analyst_progress, open_disagreements, review_backlog
from statements.selectors.projects import project_rows
from statements.services.adjudication import unit_dismiss
from tests.factories import ArticleFactory, StatementFactory, default_project

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true", "HX-Target": "compare"}


def _gold_from(lead, *sources):
    model = sources[0]
    return services.statement_adjudicate(
        article=model.article,
        user=lead,
        sources=list(sources),
        start=model.start,
        end=model.end,
        quote=model.quote,
        stance=model.stance,
        speaker=model.speaker_id,
        conditions=[services.condition_input(c) for c in model.conditions.all()],
    )


def test_a_lead_dismisses_a_unit_with_a_reason_kept_in_each_statements_history(lead, double_annotated):
    a, b = double_annotated["stance_a"], double_annotated["stance_b"]
    dismissal = unit_dismiss(
        article=double_annotated["article"],
        user=lead,
        sources=[a, b],
        reason="  Not a statement:\n a headline ",
    )
    assert dismissal.reason == "Not a statement: a headline"
    assert set(dismissal.statements.values_list("pk", flat=True)) == {a.pk, b.pk}
    events = StatementEvent.objects.filter(action=EventAction.DISMISSED).order_by("statement_ref")
    assert [(e.statement_ref, e.user, e.after["reason"]) for e in events] == [
        (a.pk, lead, "Not a statement: a headline"),
        (b.pk, lead, "Not a statement: a headline"),
    ]
    # the analysts' statements themselves are kept as they were
    a.refresh_from_db()
    assert a.status == "pending" and not a.is_gold and Statement.objects.filter(pk=b.pk).exists()


def test_only_a_lead_dismisses(analyst, other_analyst, double_annotated):
    for user in (analyst, other_analyst):
        with pytest.raises(PermissionDenied):
            unit_dismiss(
                article=double_annotated["article"],
                user=user,
                sources=[double_annotated["stance_a"]],
                reason="no",
            )
    assert not UnitDismissal.objects.exists()


def test_a_dismissal_needs_a_reason_and_a_unit_still_open(lead, double_annotated):
    d = double_annotated
    article = d["article"]

    def refused(sources, reason="duplicate"):
        with pytest.raises(ValidationError) as exc:
            unit_dismiss(article=article, user=lead, sources=sources, reason=reason)
        return " ".join(exc.value.messages)

    assert "Say why" in refused([d["stance_a"]], reason="   ")
    assert "at most 2,000" in refused([d["stance_a"]], reason="x" * 2001)
    assert "Choose the unit" in refused([])
    gold = _gold_from(lead, d["agree1_a"], d["agree1_b"])
    assert f"Already adjudicated into gold statement #{gold.pk}" in refused([d["agree1_a"]])
    assert "A gold statement is not dismissed" in refused([gold])
    other = StatementFactory(article=ArticleFactory(), user=d["agree1_a"].annotator, quote="Putin")
    assert "must belong to this article" in refused([d["stance_a"], other])
    assert "no longer exist" in refused([Statement(pk=99_999_999)])
    unit_dismiss(article=article, user=lead, sources=[d["stance_a"], d["stance_b"]], reason="duplicate")
    assert "already dismissed" in refused([d["stance_b"]])
    # and a dismissed unit takes no gold statement afterwards
    with pytest.raises(ValidationError, match="This unit was dismissed"):
        _gold_from(lead, d["stance_a"], d["stance_b"])
    assert UnitDismissal.objects.count() == 1 and Statement.objects.filter(is_gold=True).count() == 1


def test_closed_units_leave_the_review_queue_and_its_badge(client, lead, double_annotated):
    d = double_annotated
    everything = {s.pk for k, s in d.items() if k.endswith(("_a", "_b"))}
    assert {s.pk for s in queue.review_queue(lead)} == everything
    _gold_from(lead, d["agree1_a"], d["agree1_b"])
    unit_dismiss(article=d["article"], user=lead, sources=[d["stance_a"], d["stance_b"]], reason="no quote")
    left = everything - {d[k].pk for k in ("agree1_a", "agree1_b", "stance_a", "stance_b")}
    assert {s.pk for s in queue.review_queue(lead)} == left

    client.force_login(lead)
    page = client.get(reverse("review_queue")).content.decode()
    assert set(map(int, re.findall(r'id="item-(\d+)"', page))) == left
    badge = client.get(reverse("review_queue"), headers={"HX-Request": "true", "HX-Target": "review-count"})
    assert re.search(r">\s*5\s*<", badge.content.decode()), badge.content.decode()


def test_the_dashboard_counts_only_what_still_waits(client, lead, analyst, double_annotated):
    d = double_annotated
    project = d["article"].project_id
    assert review_backlog(project).pending == 9
    amira = next(p for p in analyst_progress(project) if p.user == analyst)
    assert amira.pending == 5
    rows, needing = open_disagreements(project)
    assert (rows[0].open, rows[0].agreed, needing) == (3, 2, 1)
    client.force_login(lead)
    client.get(reverse("dashboard"))  # fills the dashboard's cache, which must notice the dismissal

    _gold_from(lead, d["agree1_a"], d["agree1_b"])
    unit_dismiss(article=d["article"], user=lead, sources=[d["stance_a"], d["stance_b"]], reason="a headline")

    assert review_backlog(project).pending == 5
    amira = next(p for p in analyst_progress(project) if p.user == analyst)
    assert (amira.pending, amira.statements) == (3, 5)
    rows, needing = open_disagreements(project)
    assert (rows[0].open, rows[0].agreed, needing) == (2, 1, 1)
    page = client.get(reverse("dashboard")).content.decode()
    backlog = page[page.index('id="backlog') :] if 'id="backlog' in page else page
    assert ">5<" in backlog or "<strong>5</strong>" in backlog


def test_the_projects_home_counts_what_awaits_review(lead, double_annotated):
    d = double_annotated
    card = next(p for p in project_rows(lead) if p.pk == default_project().pk)
    assert card.n_pending == 9
    unit_dismiss(article=d["article"], user=lead, sources=[d["span_a"], d["span_b"]], reason="span unclear")
    card = next(p for p in project_rows(lead) if p.pk == default_project().pk)
    assert card.n_pending == 7


def test_gold_accept_agreed_leaves_a_dismissed_agreed_unit_alone(lead, double_annotated):
    d = double_annotated
    unit_dismiss(
        article=d["article"], user=lead, sources=[d["agree2_a"], d["agree2_b"]], reason="reporter's words"
    )
    created = services.gold_accept_agreed(article=d["article"], user=lead)
    assert [g.quote for g in created] == ["very promising"]


# ---- The compare page's dismiss form ------------------------------------------------------------


def test_the_lead_dismisses_from_the_compare_page_with_htmx(client, lead, double_annotated):
    d = double_annotated
    client.force_login(lead)
    url = reverse("article_dismiss_unit", args=[d["article"].pk])
    page = client.get(reverse("article_compare", args=[d["article"].pk])).content.decode()
    assert page.count("data-dismiss>") == 5 and f'action="{url}"' in page

    response = client.post(
        url, {"source": [d["stance_a"].pk, d["stance_b"].pk], "reason": "Not a statement"}, headers=HX
    )
    assert response.status_code == 200
    trigger = json.loads(response["HX-Trigger"])
    assert trigger["annotator:status"]["message"] == "Unit dismissed: its 2 statements left the review queue."
    html = response.content.decode()
    unit = html[html.index(f'id="unit-{d["stance_a"].pk}"') :]
    unit = unit[: unit.index("</li>\n")]
    assert "st-dismissed" in unit and "Not a statement" in unit and "data-dismiss" not in unit
    assert "data-use" not in unit  # no gold from a dismissed unit
    assert "<strong>1</strong> dismissed" in html and html.count("data-dismiss>") == 4


def test_a_blank_reason_comes_back_on_the_unit_and_nothing_is_stored(client, lead, double_annotated):
    d = double_annotated
    client.force_login(lead)
    url = reverse("article_dismiss_unit", args=[d["article"].pk])
    response = client.post(
        url, {"source": [d["stance_a"].pk, d["stance_b"].pk], "reason": " "}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 422
    assert response["HX-Retarget"] == f"#unit-{d['stance_a'].pk}"
    assert "Say why the unit is dismissed" in response.content.decode()
    assert not UnitDismissal.objects.exists()


def test_a_plain_form_dismissal_redirects_to_the_unit(client, lead, double_annotated):
    d = double_annotated
    client.force_login(lead)
    url = reverse("article_dismiss_unit", args=[d["article"].pk])
    response = client.post(url, {"source": [d["alone_a"].pk], "reason": "reported speech"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"/compare/#unit-{d['alone_a'].pk}")
    assert UnitDismissal.objects.get().reason == "reported speech"


@pytest.mark.parametrize("who", ["analyst", "other_analyst", "viewer"])
def test_non_leads_get_403_and_nothing_changes(client, who, request, double_annotated):
    d = double_annotated
    client.force_login(request.getfixturevalue(who))
    url = reverse("article_dismiss_unit", args=[d["article"].pk])
    response = client.post(url, {"source": [d["alone_a"].pk], "reason": "no"})
    assert response.status_code == 403 and not UnitDismissal.objects.exists()
    assert client.get(url).status_code == 405


def test_the_history_shows_the_dismissal_and_its_reason(client, lead, analyst, double_annotated):
    d = double_annotated
    unit_dismiss(article=d["article"], user=lead, sources=[d["alone_a"]], reason="A paraphrase, not a quote")
    client.force_login(analyst)
    page = client.get(reverse("statement_activity", args=[d["alone_a"].pk])).content.decode()
    assert "Unit dismissed" in page and "Reason: A paraphrase, not a quote" in page


# ---- The Conditions page counts a unit once ----------------------------------------------------


def test_the_conditions_page_counts_an_adjudicated_unit_once(client, lead, analyst, other_analyst):
    article = ArticleFactory()
    copies = [
        StatementFactory(
            article=article,
            user=u,
            quote="cease hostilities",
            conditions=[{"description": "Root causes first"}],
        )
        for u in (analyst, other_analyst)
    ]
    _gold_from(lead, *copies)
    dropped = [
        StatementFactory(
            article=article, user=u, quote="very promising", conditions=[{"description": "Dropped"}]
        )
        for u in (analyst, other_analyst)
    ]
    unit_dismiss(article=article, user=lead, sources=dropped, reason="not about the ceasefire")
    StatementFactory(article=article, user=analyst, quote="Putin", conditions=[{"description": "Open one"}])
    client.force_login(lead)
    url = reverse("condition_list")

    def shown(**params):
        page = client.get(url, params).content.decode()
        count = int(re.search(r"(\d+) condition", page[page.index('class="result-count"') :]).group(1))
        return count, re.findall(r'<p class="cond-text">([^<]*)</p>', page)

    count, texts = shown()
    assert count == 2 and sorted(texts) == ["Open one", "Root causes first"]
    assert shown(layer="gold") == (1, ["Root causes first"])
    count, texts = shown(layer="all")
    assert count == 6 and sorted(texts) == sorted(["Root causes first"] * 3 + ["Dropped"] * 2 + ["Open one"])
    page = client.get(url).content.decode()
    assert 'name="layer"' in page and '<option value="units" selected>Each unit once</option>' in page
    assert client.get(url, {"layer": "nonsense"}).status_code == 200
