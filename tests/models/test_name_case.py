"""Case-insensitive for every script, on SQLite and PostgreSQL alike: actor (and alias and
project) names unique regardless of case, and the searches of /actors/, the speaker picker,
/articles/?q=, the API's ?q= and name lookups, in Cyrillic, Greek (final sigma) and Turkish
(dotted and dotless i). SQLite's own lower()/LIKE fold ASCII only: each test here failed on it."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from statements import services
from statements.models import Actor, ActorAlias, Project, Statement, name_key
from statements.selectors import catalog
from tests.factories import ArticleFactory, StatementFactory

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


def _api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        ("Сергей Вершинин", "сергей вершинин"),  # Cyrillic
        ("ΣΩΚΡΆΤΗΣ", "Σωκράτης"),  # Greek: Σ, σ and the final ς are one letter
        ("İzmir Valiliği", "izmir valiliği"),  # Turkish dotted capital İ and i
        ("ISPARTA", "ısparta"),  # Turkish dotless ı and I
    ],
)
def test_it_refuses_a_duplicate_actor_name_in_another_case(lead, stored, typed):
    services.actor_create(user=lead, name=stored)
    with pytest.raises(ValidationError) as exc:
        services.actor_create(user=lead, name=typed)
    assert "already exists" in exc.value.message_dict["name"][0]
    # the database constraint holds on its own too (no path around the service)
    with pytest.raises(IntegrityError), transaction.atomic():
        Actor.objects.create(name=typed)
    assert name_key(stored) == name_key(typed)


def test_the_api_refuses_the_duplicate_of_the_issue(lead):
    client = _api(lead)
    assert client.post("/api/actors/", {"name": "Сергей Вершинин"}, format="json").status_code == 201
    response = client.post("/api/actors/", {"name": "сергей вершинин"}, format="json")
    assert response.status_code == 400 and "name" in response.json()
    assert Actor.objects.count() == 1


def test_aliases_and_project_names_fold_every_script_too(lead):
    actor = services.actor_create(user=lead, name="Recep Tayyip Erdoğan", aliases=["ERDOĞAN", "erdoğan"])
    assert actor.alias_names == ["ERDOĞAN"]  # the second is the same alias in another case
    with pytest.raises(IntegrityError), transaction.atomic():
        ActorAlias.objects.create(actor=actor, name="Erdoğan")
    services.project_create(user=None, name="Ελληνικός τύπος")
    with pytest.raises(ValidationError):
        services.project_create(user=None, name="ΕΛΛΗΝΙΚΌΣ ΤΎΠΟΣ")
    assert Project.objects.filter(name__uexact="ελληνικόσ τύποσ").count() == 1


def test_it_finds_actors_in_every_script_on_the_list_and_in_the_picker(client, analyst, lead):
    services.actor_create(user=lead, name="Сергей Вершинин", aliases=["Замминистра"])
    services.actor_create(user=lead, name="ΣΩΚΡΆΤΗΣ")
    services.actor_create(user=lead, name="İzmir Valiliği")
    client.force_login(analyst)
    for q, name in [
        ("вершинин", "Сергей Вершинин"),
        ("замминистра", "Сергей Вершинин"),  # by alias
        ("σωκράτης", "ΣΩΚΡΆΤΗΣ"),  # typed with the final ς
        ("izmir", "İzmir Valiliği"),
        ("IZMIR", "İzmir Valiliği"),
    ]:
        page = client.get(reverse("actor_list"), {"q": q}).content.decode()
        assert name in page, q
        picker = client.get(
            reverse("actor_list"), {"picker": "speaker", "prefix": "new", "q": q}, headers=HX
        ).content.decode()
        assert f'data-actor-name="{name}"' in picker, q
    # an exact match in another case is the exact match: the picker offers nothing to create
    picker = client.get(
        reverse("actor_list"), {"picker": "speaker", "prefix": "new", "q": "сергей вершинин"}, headers=HX
    ).content.decode()
    assert "Add “" not in picker
    assert catalog.actor_by_name("сергей вершинин").name == "Сергей Вершинин"
    assert catalog.actor_by_name("ЗАММИНИСТРА").name == "Сергей Вершинин"


def test_it_finds_articles_and_statements_in_every_script(client, viewer, analyst):
    article = ArticleFactory(title="Заявление МИД", text="Вершинин сказал: «Мир возможен». Ο Σωκράτης είπε.")
    StatementFactory(article=article, user=analyst, quote="Мир возможен", note="ΛΌΓΟΣ ΤΟΥ")
    ArticleFactory(title="Unrelated", text="Nothing here.")
    client.force_login(viewer)
    for q in ("вершинин", "ЗАЯВЛЕНИЕ", "σωκράτης"):
        page = client.get(reverse("article_list"), {"q": q}).content.decode()
        assert "Заявление МИД" in page and "Unrelated" not in page, q
    api = _api(viewer)
    for q in ("МИР ВОЗМОЖЕН", "λόγος"):
        results = api.get("/api/statements/", {"q": q}).json()["results"]
        assert [r["quote"] for r in results] == ["Мир возможен"], q
    assert api.get("/api/articles/", {"q": "заявление"}).json()["count"] == 1
    assert [a["name"] for a in api.get("/api/actors/", {"q": "x"}).json()["results"]] == []


def test_like_wildcards_in_a_query_are_text(viewer, analyst):
    StatementFactory(
        user=analyst, quote="We agree with the proposals to cease hostilities", note="100% sure_"
    )
    assert Statement.objects.filter(note__ucontains="0% SURE_").count() == 1
    assert Statement.objects.filter(note__ucontains="0_ sure").count() == 0
    assert Statement.objects.filter(note__ucontains="%").count() == 1
