"""Projects in the API: /api/projects/ (mine only; administrators create, leads edit, nobody
deletes), their members (leads add, change roles, remove; the last lead stays), `project` on
articles, `?project=` on the lists, and 404 (never 403) for another project's objects."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from statements import services
from statements.models import Article, GuidelinesRevision, Membership, Project, Role, Statement
from tests.factories import ArticleFactory, ProjectFactory, StatementFactory, UserFactory

pytestmark = pytest.mark.django_db

QUOTE = "We agree with the proposals to cease hostilities"


def client_for(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


@pytest.fixture
def two():
    """Projects A and B. Lena leads A and views B; Amira annotates A; Ben annotates B; Ola leads B;
    Ada is an instance administrator and a member of nothing."""
    a = ProjectFactory(name="Alpha study", slug="alpha")
    b = ProjectFactory(name="Bravo study", slug="bravo")
    lena = UserFactory(username="lena", role=Role.LEAD, role__project=a)
    Membership.objects.create(project=b, user=lena, role=Role.VIEWER)
    amira = UserFactory(username="amira", role=Role.ANALYST, role__project=a)
    ben = UserFactory(username="ben", role=Role.ANALYST, role__project=b)
    ola = UserFactory(username="ola", role=Role.LEAD, role__project=b)
    ada = UserFactory(username="ada", role=None, role__none=True, is_superuser=True)
    a_article = ArticleFactory(project=a, title="Alpha article")
    b_article = ArticleFactory(project=b, title="Bravo article")
    a_statement = StatementFactory(article=a_article, user=amira, conditions=[{"description": "Unless"}])
    b_statement = StatementFactory(article=b_article, user=ben, conditions=[{"description": "If"}])
    services.statement_review(statement=b_statement, reviewer=ola, verdict="accept")
    services.statement_review(statement=a_statement, reviewer=lena, verdict="accept")
    return {
        "a": a,
        "b": b,
        "lena": lena,
        "amira": amira,
        "ben": ben,
        "ola": ola,
        "ada": ada,
        "a_article": a_article,
        "b_article": b_article,
        "a_statement": a_statement,
        "b_statement": b_statement,
    }


# ---- /api/projects/ -------------------------------------------------------------------------------


def test_the_list_holds_my_projects_with_my_role_and_admins_see_all(two):
    mine = results(client_for(two["amira"]).get("/api/projects/"))
    assert [(p["slug"], p["role"]) for p in mine] == [("alpha", "analyst")]
    assert "guidelines" not in mine[0]
    lena = results(client_for(two["lena"]).get("/api/projects/"))
    assert [(p["slug"], p["role"]) for p in lena] == [("alpha", "lead"), ("bravo", "viewer")]
    admin = results(client_for(two["ada"]).get("/api/projects/"))
    assert {p["slug"] for p in admin} == {"alpha", "bravo"} and {p["role"] for p in admin} == {"lead"}
    assert results(client_for(UserFactory(role=None, role__none=True)).get("/api/projects/")) == []


def test_another_projects_detail_is_a_404_and_mine_has_its_guidelines(two):
    client = client_for(two["amira"])
    assert client.get(f"/api/projects/{two['b'].pk}/").status_code == 404
    mine = client.get(f"/api/projects/{two['a'].pk}/")
    assert mine.status_code == 200 and "guidelines" in mine.json()
    assert client.patch(f"/api/projects/{two['b'].pk}/", {"name": "Mine now"}).status_code == 404
    assert Project.objects.get(pk=two["b"].pk).name == "Bravo study"


def test_an_administrator_creates_a_project_from_the_codebook_and_leads_it(two):
    response = client_for(two["ada"]).post(
        "/api/projects/", {"name": "Sanctions year", "description": "A year of rhetoric"}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["slug"] == "sanctions-year" and body["role"] == "lead" and body["created_by"] == two["ada"].pk
    project = Project.objects.get(pk=body["id"])
    assert project.guidelines == services.default_guidelines() == body["guidelines"]
    assert Membership.objects.get(project=project).user == two["ada"]
    assert GuidelinesRevision.objects.filter(project=project).count() == 1
    clash = client_for(two["ada"]).post("/api/projects/", {"name": "SANCTIONS year"}, format="json")
    assert clash.status_code == 400 and "name" in clash.json()


@pytest.mark.parametrize("who", ["amira", "lena"])
def test_an_analyst_or_a_lead_cannot_create_a_project(two, who):
    response = client_for(two[who]).post("/api/projects/", {"name": "Mine"}, format="json")
    assert response.status_code == 403
    assert not Project.objects.filter(name="Mine").exists()


def test_a_lead_edits_the_project_and_its_guidelines_are_kept_as_revisions(two):
    url = f"/api/projects/{two['a'].pk}/"
    response = client_for(two["lena"]).patch(
        url, {"description": "Ceasefire week", "guidelines": "# Codebook\n\nMark demands."}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["guidelines"] == "# Codebook\n\nMark demands."
    revisions = GuidelinesRevision.objects.filter(project=two["a"]).order_by("id")
    assert [r.body for r in revisions][-1] == "# Codebook\n\nMark demands."
    assert revisions.last().edited_by == two["lena"]
    assert client_for(two["amira"]).patch(url, {"name": "Analyst's"}, format="json").status_code == 403
    # a viewer of B who leads A changes nothing in B
    assert client_for(two["lena"]).patch(f"/api/projects/{two['b'].pk}/", {"name": "x"}).status_code == 403
    assert client_for(two["lena"]).delete(url).status_code == 405
    assert client_for(two["ada"]).delete(url).status_code == 405
    assert Project.objects.filter(pk=two["a"].pk).exists()


def test_an_archived_project_takes_no_new_articles(two):
    client = client_for(two["lena"])
    assert client.patch(f"/api/projects/{two['a'].pk}/", {"archived": True}, format="json").json()["archived"]
    response = client.post(
        "/api/articles/", {"project": two["a"].pk, "title": "Late", "text": "Too late."}, format="json"
    )
    assert response.status_code in (400, 403)
    assert not Article.objects.filter(title="Late").exists()


def test_the_project_list_costs_the_same_for_3_or_300_projects(two):
    admin = client_for(two["ada"])
    lena = client_for(two["lena"])

    def queries(client) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/projects/?page_size=1000").status_code == 200
        return len(ctx.captured_queries)

    # token+user with the caller's memberships (read for an administrator too), count, projects
    assert queries(admin) == queries(lena) == 3
    extra = Project.objects.bulk_create(ProjectFactory.build(name=f"P{i}", slug=f"p{i}") for i in range(300))
    Membership.objects.bulk_create(Membership(project=p, user=two["lena"], role=Role.ANALYST) for p in extra)
    assert queries(admin) == queries(lena) == 3
    assert len(results(lena.get("/api/projects/?page_size=1000"))) == 302


# ---- Members ----------------------------------------------------------------------------------------


def members_url(project, membership=None) -> str:
    base = f"/api/projects/{project.pk}/members/"
    return base if membership is None else f"{base}{membership.pk}/"


def test_members_see_the_members_of_their_project_only(two):
    rows = results(client_for(two["amira"]).get(members_url(two["a"])))
    assert [(m["username"], m["role"]) for m in rows] == [("amira", "analyst"), ("lena", "lead")]
    assert client_for(two["amira"]).get(members_url(two["b"])).status_code == 404
    assert {m["username"] for m in results(client_for(two["lena"]).get(members_url(two["b"])))} == {
        "ben",
        "lena",
        "ola",
    }


def test_a_lead_adds_a_member_by_user_name_or_id(two):
    client = client_for(two["lena"])
    by_name = client.post(members_url(two["a"]), {"user": "ben", "role": "viewer"}, format="json")
    assert by_name.status_code == 201, by_name.json()
    assert by_name.json()["username"] == "ben" and by_name.json()["role"] == "viewer"
    assert Membership.objects.get(project=two["a"], user=two["ben"]).added_by == two["lena"]
    newcomer = UserFactory(username="nina", role=None, role__none=True)
    by_id = client.post(members_url(two["a"]), {"user": newcomer.pk}, format="json")
    assert by_id.status_code == 201 and by_id.json()["role"] == "analyst"
    again = client.post(members_url(two["a"]), {"user": "ben", "role": "lead"}, format="json")
    assert again.status_code == 400 and "user" in again.json()
    unknown = client.post(members_url(two["a"]), {"user": "nobody", "role": "lead"}, format="json")
    assert unknown.status_code == 400 and "user" in unknown.json()
    bad_role = client.post(members_url(two["a"]), {"user": "ola", "role": "owner"}, format="json")
    assert bad_role.status_code == 400 and "role" in bad_role.json()
    # the new member sees the project at once
    assert [p["slug"] for p in results(client_for(two["ben"]).get("/api/projects/"))] == ["alpha", "bravo"]


def test_only_a_lead_of_the_project_changes_its_members(two):
    before = list(Membership.objects.order_by("pk").values_list("pk", "role"))
    amira_membership = Membership.objects.get(project=two["a"], user=two["amira"])
    analyst = client_for(two["amira"])
    assert (
        analyst.post(members_url(two["a"]), {"user": "ben", "role": "lead"}, format="json").status_code == 403
    )
    assert (
        analyst.patch(members_url(two["a"], amira_membership), {"role": "lead"}, format="json").status_code
        == 403
    )
    assert analyst.delete(members_url(two["a"], amira_membership)).status_code == 403
    viewer_of_b = client_for(two["lena"])
    ben_membership = Membership.objects.get(project=two["b"], user=two["ben"])
    assert viewer_of_b.delete(members_url(two["b"], ben_membership)).status_code == 403
    # a membership of B under A's address does not exist there
    assert viewer_of_b.delete(members_url(two["a"], ben_membership)).status_code == 404
    assert client_for(two["amira"]).delete(members_url(two["b"], ben_membership)).status_code == 404
    assert list(Membership.objects.order_by("pk").values_list("pk", "role")) == before


def test_a_lead_changes_a_role_and_removes_a_member(two):
    client = client_for(two["lena"])
    membership = Membership.objects.get(project=two["a"], user=two["amira"])
    changed = client.patch(members_url(two["a"], membership), {"role": "viewer"}, format="json")
    assert changed.status_code == 200 and changed.json()["role"] == "viewer"
    assert (
        client_for(two["amira"])
        .post(
            "/api/statements/",
            {**span(two["a_article"], "very promising"), "stance": "support"},
            format="json",
        )
        .status_code
        == 403
    )  # a viewer now
    assert client.delete(members_url(two["a"], membership)).status_code == 204
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert client_for(two["amira"]).get(f"/api/articles/{two['a_article'].pk}/").status_code == 404
    # her statements stay: the project's data
    assert Statement.objects.filter(pk=two["a_statement"].pk).exists()


def test_the_last_lead_keeps_the_role_and_cannot_be_removed(two):
    client = client_for(two["lena"])
    mine = Membership.objects.get(project=two["a"], user=two["lena"])
    demoted = client.patch(members_url(two["a"], mine), {"role": "analyst"}, format="json")
    assert demoted.status_code == 400 and demoted.json()["role"]
    removed = client.delete(members_url(two["a"], mine))
    assert removed.status_code == 400 and removed.json()["user"]
    assert Membership.objects.get(pk=mine.pk).role == Role.LEAD
    # with a second lead, the first may step down
    client.patch(
        members_url(two["a"], Membership.objects.get(project=two["a"], user=two["amira"])),
        {"role": "lead"},
        format="json",
    )
    assert client.patch(members_url(two["a"], mine), {"role": "analyst"}, format="json").status_code == 200


def test_the_members_list_costs_the_same_for_few_or_many_members(two):
    client = client_for(two["lena"])

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(members_url(two["a"])).status_code == 200
        return len(ctx.captured_queries)

    # token+user with the caller's memberships, the project, count, memberships (+user joined)
    assert queries() == 4
    for i in range(20):
        UserFactory(username=f"m{i}", role=Role.ANALYST, role__project=two["a"])
    assert queries() == 4


# ---- Articles in projects ------------------------------------------------------------------------


def span(article, quote: str = QUOTE) -> dict:
    start = article.text.index(quote)
    return {"article": article.pk, "start": start, "end": start + len(quote), "quote": quote}


def test_an_article_lands_in_my_only_writable_project_without_project(two):
    # Lena leads A and views B: A is the one project where she may add articles
    response = client_for(two["lena"]).post(
        "/api/articles/", {"title": "T", "text": "Lena's text."}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["project"] == two["a"].pk
    assert Article.objects.get(pk=response.json()["id"]).project == two["a"]


def test_with_several_writable_projects_the_article_needs_its_project(two):
    Membership.objects.create(project=two["b"], user=two["amira"], role=Role.ANALYST)
    client = client_for(two["amira"])
    missing = client.post("/api/articles/", {"title": "T", "text": "Which project?"}, format="json")
    assert missing.status_code == 400 and "project" in missing.json()
    by_slug = client.post(
        "/api/articles/", {"title": "T", "text": "Into B.", "project": "bravo"}, format="json"
    )
    assert by_slug.status_code == 201 and by_slug.json()["project"] == two["b"].pk
    by_id = client.post(
        "/api/articles/", {"title": "T", "text": "Into A.", "project": two["a"].pk}, format="json"
    )
    assert by_id.status_code == 201 and by_id.json()["project"] == two["a"].pk


def test_another_projects_id_reads_like_no_project_and_a_viewer_cannot_add(two):
    amira = client_for(two["amira"])
    foreign = amira.post(
        "/api/articles/", {"title": "T", "text": "Planted.", "project": two["b"].pk}, format="json"
    )
    unknown = amira.post(
        "/api/articles/", {"title": "T", "text": "Planted.", "project": 999999}, format="json"
    )
    assert foreign.status_code == unknown.status_code == 400
    assert foreign.json()["project"] == [f"There is no project “{two['b'].pk}”."]
    assert unknown.json()["project"] == ["There is no project “999999”."]
    viewer = client_for(two["lena"]).post(
        "/api/articles/", {"title": "T", "text": "Planted.", "project": "bravo"}, format="json"
    )
    assert viewer.status_code == 403
    assert not Article.objects.filter(text="Planted.").exists()


def test_articles_of_another_project_do_not_exist_and_an_article_stays_in_its_project(two):
    amira = client_for(two["amira"])
    assert [a["title"] for a in results(amira.get("/api/articles/"))] == ["Alpha article"]
    assert results(amira.get("/api/articles/"))[0]["project"] == two["a"].pk
    b_url = f"/api/articles/{two['b_article'].pk}/"
    assert amira.get(b_url).status_code == 404
    assert amira.patch(b_url, {"title": "Mine"}, format="json").status_code == 404
    moved = client_for(two["ada"]).patch(
        f"/api/articles/{two['a_article'].pk}/", {"project": two["b"].pk}, format="json"
    )
    assert moved.status_code == 400 and "project" in moved.json()
    same = client_for(two["lena"]).patch(
        f"/api/articles/{two['a_article'].pk}/", {"project": "alpha", "title": "Renamed"}, format="json"
    )
    assert same.status_code == 200 and same.json()["title"] == "Renamed"
    assert Article.objects.get(pk=two["a_article"].pk).project == two["a"]


def test_a_statement_on_another_projects_article_reads_like_no_article(two):
    response = client_for(two["amira"]).post(
        "/api/statements/", {**span(two["b_article"]), "stance": "support"}, format="json"
    )
    assert response.status_code == 400 and "article" in response.json()
    assert "Bravo" not in response.content.decode()
    assert Statement.objects.filter(article=two["b_article"]).count() == 1


def test_the_import_lands_in_the_project_it_names(two):
    Membership.objects.create(project=two["b"], user=two["amira"], role=Role.ANALYST)
    client = client_for(two["amira"])
    items = [{"title": "One", "text": "Imported text."}]
    missing = client.post("/api/articles/import/", items, format="json")
    assert missing.status_code == 400 and "project" in missing.json()
    response = client.post("/api/articles/import/?project=bravo", items, format="json")
    assert response.status_code == 201, response.json()
    assert Article.objects.get(pk=response.json()["articles"][0]["id"]).project == two["b"]
    # the same text is a new article in another project
    other = client.post(f"/api/articles/import/?project={two['a'].pk}", items, format="json")
    assert other.status_code == 201
    foreign = client_for(two["ben"]).post(
        f"/api/articles/import/?project={two['a'].pk}", items, format="json"
    )
    assert foreign.status_code == 400 and foreign.json()["project"]
    assert Article.objects.filter(text="Imported text.").count() == 2


# ---- ?project= on the lists -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ("/api/articles/", "title"),
        ("/api/statements/", "id"),
        ("/api/conditions/", "id"),
        ("/api/reviews/", "id"),
        ("/api/users/", "username"),
    ],
)
def test_every_list_narrows_to_one_project_by_id_or_slug(two, path, key):
    client = client_for(two["lena"])  # lead of A, viewer of B: sees both
    everything = results(client.get(path))
    by_id = results(client.get(path, {"project": two["b"].pk}))
    by_slug = results(client.get(path, {"project": "bravo"}))
    assert by_id == by_slug and by_id and len(by_id) < len(everything)
    assert results(client.get(path, {"project": "alpha"})) != by_id
    # a project that is not hers, or none at all: nothing, the same way
    outsider = client_for(two["amira"])
    assert results(outsider.get(path, {"project": "bravo"})) == results(
        outsider.get(path, {"project": "nope"})
    )
    assert results(outsider.get(path, {"project": two["b"].pk})) == []
    assert results(outsider.get(path, {"project": "99999999999999999999999"})) == []


def test_the_project_filter_picks_the_right_rows(two):
    client = client_for(two["lena"])
    assert [a["title"] for a in results(client.get("/api/articles/?project=bravo"))] == ["Bravo article"]
    assert [s["id"] for s in results(client.get("/api/statements/?project=bravo"))] == [two["b_statement"].pk]
    assert {u["username"] for u in results(client.get("/api/users/?project=bravo"))} == {"ben", "lena", "ola"}
    agreement = client.get("/api/agreement/?project=alpha")
    assert agreement.status_code == 200


def test_the_export_takes_the_project(two):
    client = client_for(two["lena"])

    def ids(query: str) -> list[int]:
        response = client.get(f"/api/export/statements?{query}")
        assert response.status_code == 200
        return [json.loads(line)["id"] for line in b"".join(response.streaming_content).splitlines()]

    assert ids("project=bravo") == ids(f"project={two['b'].pk}") == [two["b_statement"].pk]
    assert ids("project=alpha") == [two["a_statement"].pk]
    assert ids("project=alpha&stance=demand") == []
    outsider = client_for(two["amira"]).get("/api/export/statements?project=bravo")
    assert b"".join(outsider.streaming_content) == b""


# ---- Users ----------------------------------------------------------------------------------------


def test_users_are_the_members_of_my_projects_with_their_memberships_there(two):
    client = client_for(two["amira"])
    users = {u["username"]: u for u in results(client.get("/api/users/"))}
    assert set(users) == {"amira", "lena"}
    # Lena is also a viewer of B: Amira does not learn it
    assert users["lena"]["memberships"] == [{"project": two["a"].pk, "role": "lead"}]
    assert "role" not in users["lena"]
    assert client.get(f"/api/users/{two['ben'].pk}/").status_code == 404
    assert client.get(f"/api/users/{two['lena'].pk}/").status_code == 200
    lena = {u["username"]: u for u in results(client_for(two["lena"]).get("/api/users/"))}
    assert lena["lena"]["memberships"] == [
        {"project": two["a"].pk, "role": "lead"},
        {"project": two["b"].pk, "role": "viewer"},
    ]
    assert {u["username"] for u in results(client_for(two["ada"]).get("/api/users/"))} >= {"ben", "ada"}
    lonely = UserFactory(username="lonely", role=None, role__none=True)
    assert [u["username"] for u in results(client_for(lonely).get("/api/users/"))] == ["lonely"]


def test_editing_an_articles_text_tells_nothing_of_another_projects_articles(two):
    mine = ArticleFactory(project=two["a"], user=two["amira"], text="Some text of mine.")
    response = client_for(two["amira"]).patch(
        f"/api/articles/{mine.pk}/", {"text": two["b_article"].text}, format="json"
    )
    assert "Bravo" not in response.content.decode()
    assert response.status_code == 200  # texts are unique per project only
