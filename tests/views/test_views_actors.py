"""The Actors pages (list, create, edit) and the annotate page's speaker picker they serve."""

import json

import pytest
from django.urls import reverse

from statements import services
from statements.models import Actor
from tests.factories import ActorFactory, StatementFactory

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}
PICKER = {"picker": "speaker", "prefix": "new"}


@pytest.fixture
def russia(analyst):
    russia = services.actor_create(user=None, name="Russia", kind="state", aliases=["the Kremlin", "Moscow"])
    services.actor_create(
        user=analyst, name="Vladimir Putin", affiliation=russia, aliases=["Putin", "the Russian leader"]
    )
    return russia


def test_it_redirects_anonymous_users_to_sign_in(client):
    for url in (reverse("actor_list"), reverse("actor_create"), reverse("actor_update", args=[1])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_it_lists_actors_with_kind_affiliation_aliases_and_counts(client, viewer, russia, analyst):
    putin = Actor.objects.get(name="Vladimir Putin")
    StatementFactory(user=analyst, speaker=putin.pk)
    client.force_login(viewer)
    page = client.get(reverse("actor_list")).content.decode()
    assert "Vladimir Putin" in page and "Putin, the Russian leader" in page and "Moscow, the Kremlin" in page
    row = page[page.index(f'id="actor-{putin.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "<td>Russia</td>" in row and f'?actor={putin.pk}"' in row and ">1</a>" in row
    assert f"?speaker={putin.pk}" in row
    assert "Edit" not in row and "New actor" not in page  # a viewer edits nothing


def test_it_searches_names_and_aliases_and_filters_by_kind(client, viewer, russia):
    ActorFactory(name="Donald Trump")
    client.force_login(viewer)
    page = client.get(reverse("actor_list"), {"q": "kreml"}).content.decode()
    assert "Russia" in page and "Donald Trump" not in page
    page = client.get(reverse("actor_list"), {"kind": "state"}).content.decode()
    assert "Russia</strong>" in page and "Vladimir Putin</strong>" not in page
    fragment = client.get(reverse("actor_list"), {"q": "putin"}, headers={**HX, "HX-Target": "results"})
    assert fragment.content.decode().lstrip().startswith('<section id="results"')
    assert "HX-Request" in fragment["Vary"]


def test_edit_links_follow_the_permission_rule(client, analyst, other_analyst, russia):
    putin = Actor.objects.get(name="Vladimir Putin")  # created by `analyst`
    client.force_login(analyst)
    page = client.get(reverse("actor_list")).content.decode()
    assert reverse("actor_update", args=[putin.pk]) in page
    assert reverse("actor_update", args=[russia.pk]) not in page  # created by the system
    client.force_login(other_analyst)
    assert reverse("actor_update", args=[putin.pk]) not in client.get(reverse("actor_list")).content.decode()


@pytest.mark.parametrize("n", [3, 40])
def test_the_list_issues_a_fixed_number_of_queries(client, lead, django_assert_num_queries, n):
    parent = ActorFactory(name="Parent state")
    for i in range(n):
        services.actor_create(user=None, name=f"Person {i}", affiliation=parent, aliases=[f"P{i}", f"Q{i}"])
    client.force_login(lead)
    # 1 session, 2 user, 3 count, 4 the page (affiliation joined, statement counts as subquery),
    # 5 aliases (one prefetch)
    with django_assert_num_queries(5):  # the memberships come with the user
        client.get(reverse("actor_list"))


# ---- The picker on the annotate page -----------------------------------------------------


def test_the_picker_finds_actors_by_alias_best_match_first(client, analyst, russia):
    ActorFactory(name="A watcher of the Kremlin")
    client.force_login(analyst)
    response = client.get(reverse("actor_list"), {**PICKER, "q": "the kremlin"}, headers=HX)
    page = response.content.decode()
    assert "<html" not in page and "<table" not in page
    assert page.index('data-actor-name="Russia"') < page.index('data-actor-name="A watcher of the Kremlin"')
    assert "Add “" not in page  # an exact alias exists: nothing to create
    page = client.get(reverse("actor_list"), {**PICKER, "q": "russian lead"}, headers=HX).content.decode()
    assert 'data-actor-name="Vladimir Putin"' in page and "the Russian leader" in page


def test_the_picker_offers_to_create_a_new_actor(client, analyst, russia):
    client.force_login(analyst)
    page = client.get(reverse("actor_list"), {**PICKER, "q": "Dmitry Peskov"}, headers=HX).content.decode()
    assert "No actor" not in page and "Add “Dmitry Peskov” as" in page
    assert 'hx-post="/actors/new/"' in page and 'hx-target="#new-speaker-choice"' in page


def test_it_offers_to_add_a_name_only_when_no_actor_name_or_alias_contains_it(client, analyst, russia):
    services.actor_create(user=None, name="Oleksandr Bodnar", aliases=["the Ukrainian envoy"])
    client.force_login(analyst)

    def options(q):
        return client.get(reverse("actor_list"), {**PICKER, "q": q}, headers=HX).content.decode()

    # Part of a name, part of an alias, in any case: the existing actor is offered, no Add.
    for q in ("Bodnar", "bodnar", "ukrainian env", "Krem"):
        page = options(q)
        assert "Add “" not in page, q
        assert 'class="picker-option"' in page, q
    page = options("Bodnarenko")  # longer than any name or alias: nothing contains it
    assert "Add “Bodnarenko” as" in page and 'class="picker-option"' not in page


def test_a_viewer_is_not_offered_to_create(client, viewer, russia):
    client.force_login(viewer)
    page = client.get(reverse("actor_list"), {**PICKER, "q": "Dmitry Peskov"}, headers=HX).content.decode()
    assert "Add “" not in page and "No actor matches" in page


def test_the_picker_issues_a_fixed_number_of_queries(client, analyst, russia, django_assert_num_queries):
    client.force_login(analyst)
    # session, user, matching actors (ranked), their aliases
    with django_assert_num_queries(4):  # the memberships come with the user
        client.get(reverse("actor_list"), {**PICKER, "q": "ru"}, headers=HX)


def test_an_actor_is_created_in_place_and_chosen(client, analyst):
    client.force_login(analyst)
    data = {"name": "Dmitry Peskov", "kind": "person", "picker": "addressee", "prefix": "edit"}
    response = client.post(reverse("actor_create"), data, headers=HX)
    actor = Actor.objects.get(name="Dmitry Peskov")
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<div class="picker-choice" id="edit-addressee-choice"')
    assert f'name="addressee" value="{actor.pk}"' in page and "Dmitry Peskov" in page
    assert actor.created_by == analyst
    assert "Dmitry Peskov" in json.loads(response["HX-Trigger"])["annotator:status"]["message"]


def test_creating_in_place_reports_errors_into_the_picker(client, analyst, russia):
    client.force_login(analyst)
    data = {"name": "russia", "kind": "state", "picker": "speaker", "prefix": "new"}
    response = client.post(reverse("actor_create"), data, headers=HX)
    assert response.status_code == 422
    assert response["HX-Retarget"] == "#new-speaker-options"
    assert "already exists" in response.content.decode()
    assert Actor.objects.filter(name__iexact="russia").count() == 1


# ---- New actor and edit actor pages ------------------------------------------------------


def test_an_analyst_creates_an_actor_with_aliases_and_affiliation(client, analyst, russia):
    client.force_login(analyst)
    assert client.get(reverse("actor_create")).status_code == 200
    response = client.post(
        reverse("actor_create"),
        {
            "name": "Sergei Lavrov",
            "kind": "person",
            "affiliation": russia.pk,
            "aliases": "Lavrov\nthe foreign minister\n\nLavrov",
            "description": "Foreign minister",
        },
    )
    actor = Actor.objects.get(name="Sergei Lavrov")
    assert response.status_code == 302 and "q=Sergei+Lavrov" in response["Location"]
    assert actor.affiliation == russia and actor.alias_names == ["Lavrov", "the foreign minister"]
    assert actor.created_by == analyst


def test_bad_actor_input_shows_inline_errors(client, analyst, russia):
    client.force_login(analyst)
    before = Actor.objects.count()
    for data, message in [
        ({"name": "", "kind": "person"}, "The name is required."),
        ({"name": "RUSSIA", "kind": "state"}, "already exists"),
        ({"name": "X", "kind": "planet"}, "is not a kind"),
        ({"name": "Y", "kind": "person", "affiliation": "99999"}, "There is no actor with id 99999"),
    ]:
        response = client.post(reverse("actor_create"), data)
        assert response.status_code == 422
        assert message in response.content.decode().replace("&#x27;", "'")
        assert 'class="field-error"' in response.content.decode()
    assert Actor.objects.count() == before


def test_a_viewer_cannot_create_actors(client, viewer):
    client.force_login(viewer)
    assert client.get(reverse("actor_create")).status_code == 403
    assert client.post(reverse("actor_create"), {"name": "X"}).status_code == 403
    data = {"name": "X", "kind": "person", "picker": "speaker", "prefix": "new"}
    assert client.post(reverse("actor_create"), data, headers=HX).status_code == 403
    assert not Actor.objects.exists()


def test_the_creator_edits_their_actor(client, analyst, russia):
    putin = Actor.objects.get(name="Vladimir Putin")
    client.force_login(analyst)
    page = client.get(reverse("actor_update", args=[putin.pk])).content.decode()
    assert "Putin\nthe Russian leader" in page
    assert f'<option value="{putin.pk}"' not in page  # not its own affiliation
    response = client.post(
        reverse("actor_update", args=[putin.pk]),
        {"name": "Vladimir Putin", "kind": "person", "affiliation": russia.pk, "aliases": "Putin\nVVP"},
    )
    assert response.status_code == 302
    putin.refresh_from_db()
    assert putin.alias_names == ["Putin", "VVP"]


def test_another_analyst_cannot_edit_it(client, analyst, other_analyst, russia):
    putin = Actor.objects.get(name="Vladimir Putin")
    client.force_login(other_analyst)
    assert client.get(reverse("actor_update", args=[putin.pk])).status_code == 403
    response = client.post(reverse("actor_update", args=[putin.pk]), {"name": "Renamed", "kind": "person"})
    assert response.status_code == 403
    putin.refresh_from_db()
    assert putin.name == "Vladimir Putin" and putin.alias_names == ["Putin", "the Russian leader"]


def test_a_lead_edits_any_actor_and_cycles_are_refused(client, lead, russia):
    putin = Actor.objects.get(name="Vladimir Putin")
    client.force_login(lead)
    response = client.post(
        reverse("actor_update", args=[russia.pk]),
        {"name": "Russia", "kind": "state", "affiliation": putin.pk},
    )
    assert response.status_code == 422
    assert "cannot be the affiliation" in response.content.decode()
    russia.refresh_from_db()
    assert russia.affiliation is None
    response = client.post(
        reverse("actor_update", args=[russia.pk]),
        {"name": "Russian Federation", "kind": "state", "aliases": "Moscow"},
    )
    assert response.status_code == 302
    russia.refresh_from_db()
    assert russia.name == "Russian Federation"


def test_edit_returns_to_a_safe_next_only(client, lead, russia):
    client.force_login(lead)
    data = {"name": "Russia", "kind": "state", "next": "https://evil.example/"}
    response = client.post(reverse("actor_update", args=[russia.pk]), data)
    assert response["Location"].startswith(reverse("actor_list"))
    data["next"] = "/conditions/"
    assert client.post(reverse("actor_update", args=[russia.pk]), data)["Location"] == "/conditions/"
