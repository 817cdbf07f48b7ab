"""The project pages: the projects home, a project's page (documents with progress), members,
guidelines, bulk upload; next / previous document on the annotate page; the project filter of
the review queue, feedback, agreement, dashboard and conditions pages.

Roles are per project: the conftest users (`analyst`, `other_analyst`, `lead`, `viewer`) are
members of the default project; `outsider` leads another project only; `admin` is an instance
administrator who belongs to no project."""

import json
import re

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from statements import permissions, services
from statements.models import Article, GuidelinesRevision, Membership, Project, Role, Statement, User
from statements.views.http import SESSION_PROJECT
from tests.factories import ArticleFactory, ProjectFactory, StatementFactory, UserFactory, default_project

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}
QUOTE = "We agree with the proposals to cease hostilities"


@pytest.fixture
def project():
    return default_project()


@pytest.fixture
def other_project():
    return ProjectFactory(name="Sanctions year", slug="sanctions-year")


@pytest.fixture
def outsider(other_project):
    return UserFactory(
        username="olga", first_name="Olga", last_name="Orlova", role=Role.LEAD, role__project=other_project
    )


@pytest.fixture
def admin(db):
    return UserFactory(
        username="ada", first_name="Ada", last_name="Admin", is_superuser=True, is_staff=True, role__none=True
    )


def _pages(project: Project) -> dict[str, str]:
    return {
        "detail": project.get_absolute_url(),
        "members": reverse("project_members", args=[project.slug]),
        "guidelines": reverse("project_guidelines", args=[project.slug]),
        "guidelines_edit": reverse("project_guidelines_edit", args=[project.slug]),
        "upload": reverse("project_upload", args=[project.slug]),
    }


def _text(response) -> str:
    return response.content.decode()


def _txt(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/plain")


# --------------------------------------------------------------------------------------------
# Who may open what


def test_signed_out_users_are_sent_to_sign_in_from_every_page(client, project):
    for url in [reverse("home"), *_pages(project).values()]:
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code == 302 and response["Location"].startswith(reverse("login")), url
    assert not Project.objects.exclude(pk=project.pk).exists()


def test_a_signed_out_htmx_request_is_redirected_by_htmx(client, project):
    response = client.get(project.get_absolute_url(), headers={**HX, "HX-Target": "results"})
    assert response.status_code == 200 and response["HX-Redirect"].startswith(reverse("login"))


def test_another_projects_pages_do_not_exist_for_a_non_member(client, project, outsider, analyst):
    ArticleFactory(project=project, title="Secret article")
    client.force_login(outsider)
    for name, url in _pages(project).items():
        assert client.get(url).status_code == 404, name
        posted = client.post(url, {"action": "add", "username": "olga", "role": "lead"}).status_code
        assert posted == (405 if name in ("detail", "guidelines") else 404), name  # GET-only pages
    assert not Membership.objects.filter(project=project, user=outsider).exists()
    home = _text(client.get(reverse("home")))
    assert "Sanctions year" in home and project.name not in home
    # an unknown project is the same 404
    assert client.get(reverse("project_detail", args=["no-such-project"])).status_code == 404


# The status each page answers a GET with, by role in the project.
MATRIX = {
    "viewer": {"detail": 200, "members": 403, "guidelines": 200, "guidelines_edit": 403, "upload": 403},
    "analyst": {"detail": 200, "members": 403, "guidelines": 200, "guidelines_edit": 403, "upload": 200},
    "lead": {"detail": 200, "members": 200, "guidelines": 200, "guidelines_edit": 200, "upload": 200},
    "admin": {"detail": 200, "members": 200, "guidelines": 200, "guidelines_edit": 200, "upload": 200},
}


@pytest.mark.parametrize("who", sorted(MATRIX))
def test_each_role_gets_the_pages_it_may_use(client, request, project, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    got = {name: client.get(url).status_code for name, url in _pages(project).items()}
    assert got == MATRIX[who]
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.parametrize("who", ["viewer", "analyst"])
def test_members_and_guideline_writes_are_refused_to_non_leads(client, request, project, who):
    client.force_login(request.getfixturevalue(who))
    pages = _pages(project)
    assert (
        client.post(pages["members"], {"action": "add", "username": "ben", "role": "lead"}).status_code == 403
    )
    assert client.post(pages["guidelines_edit"], {"guidelines": "# Mine now"}).status_code == 403
    project.refresh_from_db()
    assert project.guidelines != "# Mine now"
    assert not Membership.objects.filter(project=project, user__username="ben").exists()


def test_a_viewer_cannot_upload(client, viewer, project):
    client.force_login(viewer)
    response = client.post(_pages(project)["upload"], {"files": [_txt("a.txt", "Some text.")]})
    assert response.status_code == 403
    assert not Article.objects.filter(project=project).exists()


# --------------------------------------------------------------------------------------------
# The projects home


def test_the_home_lists_my_projects_with_their_progress(
    client, analyst, other_analyst, lead, project, other_project
):
    a = ArticleFactory(project=project, title="One")
    b = ArticleFactory(project=project, title="Two")
    ArticleFactory(project=project, title="Three")
    mine = StatementFactory(article=a, user=analyst, quote=QUOTE)
    StatementFactory(article=a, user=other_analyst, quote="very promising", stance="caveat")
    StatementFactory(article=b, user=other_analyst, quote="do the right thing", stance="demand")
    StatementFactory(article=b, user=analyst, quote="told reporters", stance="support")
    services.statement_review(statement=mine, reviewer=lead, verdict="accept")
    ArticleFactory(project=other_project, title="Elsewhere")
    client.force_login(analyst)
    page = _text(client.get(reverse("home")))
    card = page[page.index(f'id="project-{project.slug}"') :]
    assert other_project.name not in page
    assert re.search(r"<dt>articles</dt><dd>3</dd>", card)
    assert re.search(r"<dt>statements</dt><dd>4</dd>", card)
    assert re.search(r"<dt>awaiting review</dt><dd>3</dd>", card)
    assert "Support 2" in card and "Caveat 1" in card and "Demand 1" in card
    assert "Yours: 2 statements (50% of 4), in 2 of 3 articles" in card
    assert 'class="role-badge">Analyst<' in card
    assert f'href="{project.get_absolute_url()}"' in card
    assert "New project" not in page  # administrators only


def test_someone_in_no_project_is_told_so(client, db):
    client.force_login(UserFactory(username="nobody", role__none=True))
    page = _text(client.get(reverse("home")))
    assert "not a member of any project" in page


def test_an_admin_sees_every_project_and_creates_one(client, admin, project, other_project):
    client.force_login(admin)
    page = _text(client.get(reverse("home")))
    assert project.name in page and other_project.name in page and "New project" in page
    assert 'class="role-badge">Administrator<' in page
    response = client.post(reverse("home"), {"name": "  Grain   deal  ", "description": "Black Sea exports"})
    created = Project.objects.get(name="Grain deal")
    assert response.status_code == 302 and response["Location"] == created.get_absolute_url()
    assert created.description == "Black Sea exports" and created.created_by == admin
    assert Membership.objects.get(project=created, user=admin).role == Role.LEAD
    assert created.guidelines == services.default_guidelines()
    assert GuidelinesRevision.objects.filter(project=created).count() == 1


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "The project needs a name."), ("sample: CEASEFIRE coverage", "already exists")],
)
def test_a_bad_project_name_is_refused_with_the_reason(client, admin, project, name, message):
    client.force_login(admin)
    before = Project.objects.count()
    response = client.post(reverse("home"), {"name": name, "description": "kept"})
    assert response.status_code == 422
    page = _text(response)
    assert message in page and "The project was not created." in page and ">kept</textarea>" in page
    assert Project.objects.count() == before


def test_only_an_admin_creates_projects(client, lead):
    client.force_login(lead)
    assert client.post(reverse("home"), {"name": "Mine"}).status_code == 403
    assert not Project.objects.filter(name="Mine").exists()


def test_the_home_escapes_project_names(client, admin):
    ProjectFactory(name="<script>alert(1)</script>", slug="xss", description="<b>bold</b>")
    client.force_login(admin)
    page = _text(client.get(reverse("home")))
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "<b>bold</b>" not in page


@pytest.mark.parametrize("n", [3, 30])
def test_the_home_issues_a_fixed_number_of_queries(client, admin, django_assert_num_queries, n):
    for _ in range(n):
        p = ProjectFactory()
        StatementFactory(article=ArticleFactory(project=p), user=admin, quote=QUOTE)
    client.force_login(admin)
    # 1 session, 2 user with their memberships (the role badges), 3 the projects with their
    # counts (correlated subqueries)
    with django_assert_num_queries(3):
        response = client.get(reverse("home"))
    assert _text(response).count('class="card project-card"') == n


# --------------------------------------------------------------------------------------------
# The project page


def _row(page: str, title: str) -> str:
    start = page.index(f">{title}</a>")
    return page[page.rindex("<tr>", 0, start) : page.index("</tr>", start)]


def _progress(page: str, title: str) -> list[str]:
    return re.findall(r'class="progress-pill p-(\w+)"', _row(page, title))


def test_the_project_page_shows_my_progress_and_the_teams(client, analyst, other_analyst, lead, project):
    ArticleFactory(project=project, title="Untouched", published="2025-03-10")
    pending = ArticleFactory(project=project, title="Pending", published="2025-03-11")
    reviewed = ArticleFactory(project=project, title="Reviewed", published="2025-03-12")
    assigned = ArticleFactory(project=project, title="Assigned", published="2025-03-13")
    finished = ArticleFactory(project=project, title="Finished", published="2025-03-14")
    StatementFactory(article=pending, user=analyst, quote=QUOTE)
    accepted = StatementFactory(article=reviewed, user=analyst, quote=QUOTE)
    services.statement_review(statement=accepted, reviewer=lead, verdict="accept")
    StatementFactory(article=reviewed, user=other_analyst, quote="very promising")
    for article in (assigned, finished):
        services.assignment_create(article=article, analyst=analyst, user=lead)
        services.assignment_create(article=article, analyst=other_analyst, user=lead)
        StatementFactory(article=article, user=analyst, quote=QUOTE)
    services.assignment_finish(article=finished, user=analyst)
    client.force_login(analyst)
    page = _text(client.get(project.get_absolute_url()))
    # [mine, team]
    assert _progress(page, "Untouched") == ["not_started", "not_started"]
    assert _progress(page, "Pending") == ["in_progress", "in_progress"]
    assert _progress(page, "Reviewed") == ["done", "in_progress"]  # Ben's statement awaits review
    assert _progress(page, "Assigned") == ["in_progress", "in_progress"]
    assert _progress(page, "Finished") == ["done", "in_progress"]  # Ben has not finished
    services.assignment_finish(article=finished, user=other_analyst)
    page = _text(client.get(project.get_absolute_url()))
    assert _progress(page, "Finished") == ["done", "done"]
    assert "When is a document done?" in page
    # the summary counts the same rule
    assert re.search(r"p-done\">Done</span> 2<", page) and re.search(
        r"p-in_progress\">In progress</span> 2<", page
    )
    # newest first, as on the annotate page's previous / next
    titles = re.findall(r'<td><a href="/articles/\d+/">([^<]+)</a>', page)
    assert titles == ["Finished", "Assigned", "Reviewed", "Pending", "Untouched"]
    # and "your progress" filters
    page = _text(
        client.get(project.get_absolute_url(), {"progress": "done"}, headers={**HX, "HX-Target": "results"})
    )
    assert re.findall(r'<td><a href="/articles/\d+/">([^<]+)</a>', page) == ["Finished", "Reviewed"]


def test_a_viewer_sees_the_teams_progress_only(client, viewer, analyst, project):
    StatementFactory(article=ArticleFactory(project=project, title="Tagged"), user=analyst, quote=QUOTE)
    client.force_login(viewer)
    page = _text(client.get(project.get_absolute_url()))
    assert _progress(page, "Tagged") == ["in_progress"]
    assert '<th scope="col">Your progress</th>' not in page and 'id="f-progress"' not in page
    assert "Upload articles" not in page and "Members</a>" not in page


def test_the_project_page_searches_and_filters_like_the_article_list(client, analyst, project, other_project):
    ArticleFactory(
        project=project, title="Grain corridor reopens", text="Ships leave Odesa again.", source="AP"
    )
    ArticleFactory(project=project, title="Ceasefire talk", source="Reuters")
    ArticleFactory(project=other_project, title="Grain elsewhere", text="Ships elsewhere.")
    client.force_login(analyst)
    url = project.get_absolute_url()
    page = _text(client.get(url))
    assert f'action="{url}"' in page and f'hx-get="{url}" hx-target="#results"' in page
    assert "<option>AP</option>" in page and "<option>Reuters</option>" in page
    fragment = _text(client.get(url, {"q": "odesa"}, headers={**HX, "HX-Target": "results"}))
    assert fragment.lstrip().startswith('<section id="results"') and "<html" not in fragment
    assert "Grain corridor reopens" in fragment and "Ceasefire talk" not in fragment
    assert "Grain elsewhere" not in fragment and f'href="{url}">clear filters' in fragment
    page = _text(client.get(url, {"source": "Reuters"}))
    assert "Ceasefire talk" in page and "Grain corridor" not in page


def test_visiting_a_project_makes_it_the_current_one(client, analyst, project):
    client.force_login(analyst)
    client.get(project.get_absolute_url())
    assert client.session[SESSION_PROJECT] == project.pk
    page = _text(client.get(reverse("review_queue")))
    assert f'<option value="{project.pk}" selected>{project.name}</option>' in page


def test_the_project_page_links_to_the_projects_other_pages(client, lead, project):
    client.force_login(lead)
    page = _text(client.get(project.get_absolute_url()))
    for url in (
        reverse("project_guidelines", args=[project.slug]),
        reverse("project_members", args=[project.slug]),
        reverse("project_upload", args=[project.slug]),
        f"{reverse('review_queue')}?project={project.pk}",
        f"{reverse('dashboard')}?project={project.pk}",
    ):
        assert f'href="{url}"' in page, url


@pytest.mark.parametrize("n", [3, 30])
def test_the_project_page_issues_a_fixed_number_of_queries(
    client, analyst, project, django_assert_num_queries, n
):
    for i in range(n):
        article = ArticleFactory(project=project, source=f"Outlet {i % 3}")
        StatementFactory(article=article, user=analyst, quote=QUOTE)
    client.force_login(analyst)
    client.get(project.get_absolute_url())  # remember it: the session is saved once, on the first visit
    # 1 session, 2 user with their memberships, 3 the project, 4 every document with the
    # user's progress (the summary, the progress filter, the pagination), 5 the page's rows with
    # their counts, 6 sources and 7 actors for the filters
    with django_assert_num_queries(7):
        response = client.get(project.get_absolute_url())
    assert _text(response).count('class="progress-pill p-') == 2 * min(n, 25) + 3
    # the fragment skips the filter lists and the summary
    with django_assert_num_queries(5):
        client.get(project.get_absolute_url(), {"q": "agree"}, headers={**HX, "HX-Target": "results"})


# --------------------------------------------------------------------------------------------
# The annotate page: previous / next document


def test_the_annotate_page_walks_the_project_in_the_project_pages_order(
    client, analyst, project, other_project
):
    undated = ArticleFactory(project=project, title="Undated", published=None)
    old = ArticleFactory(project=project, title="Old", published="2025-01-01")
    same_day_1 = ArticleFactory(project=project, title="Same day 1", published="2025-02-01")
    same_day_2 = ArticleFactory(project=project, title="Same day 2", published="2025-02-01")
    new = ArticleFactory(project=project, title="New", published="2025-03-01")
    ArticleFactory(project=other_project, title="Not ours", published="2025-02-15")
    client.force_login(analyst)
    page = _text(client.get(project.get_absolute_url()))
    order = re.findall(r'<td><a href="/articles/\d+/">([^<]+)</a>', page)
    assert order == ["New", "Same day 2", "Same day 1", "Old", "Undated"]
    articles = [new, same_day_2, same_day_1, old, undated]
    for i, article in enumerate(articles):
        page = _text(client.get(article.get_absolute_url()))
        nav = page[page.index('class="article-tools doc-nav"') :]
        nav = nav[: nav.index("</nav>")]
        previous = re.search(r'rel="prev" href="([^"]+)"', nav)
        following = re.search(r'rel="next" href="([^"]+)"', nav)
        assert (previous.group(1) if previous else None) == (
            articles[i - 1].get_absolute_url() if i else None
        )
        assert (following.group(1) if following else None) == (
            articles[i + 1].get_absolute_url() if i + 1 < len(articles) else None
        )
        assert "Not ours" not in nav
    assert client.session[SESSION_PROJECT] == project.pk


def test_next_without_a_statement_of_mine_skips_tagged_ones_and_wraps_around(
    client, analyst, other_analyst, project
):
    a = ArticleFactory(project=project, title="A", published="2025-03-05")
    b = ArticleFactory(project=project, title="B", published="2025-03-04")
    c = ArticleFactory(project=project, title="C", published="2025-03-03")
    d = ArticleFactory(project=project, title="D", published="2025-03-02")
    StatementFactory(article=c, user=analyst, quote=QUOTE)
    StatementFactory(article=d, user=other_analyst, quote=QUOTE)  # someone else's: still untouched by me

    def untouched(article):
        page = _text(client.get(article.get_absolute_url()))
        found = re.search(r'href="([^"]+)" title="[^"]*">Next without a statement of mine', page)
        return found.group(1) if found else None

    client.force_login(analyst)
    assert untouched(b) == d.get_absolute_url()  # C is tagged by me
    assert untouched(d) == a.get_absolute_url()  # wraps around to the start
    StatementFactory(article=a, user=analyst, quote=QUOTE)
    StatementFactory(article=d, user=analyst, quote="very promising")
    assert untouched(a) == b.get_absolute_url()
    StatementFactory(article=b, user=analyst, quote=QUOTE)
    page = _text(client.get(a.get_absolute_url()))
    assert "Every other document has a statement of yours" in page


def test_the_annotate_page_links_the_guidelines(client, viewer, project):
    article = ArticleFactory(project=project)
    client.force_login(viewer)
    page = _text(client.get(article.get_absolute_url()))
    assert f'href="{reverse("project_guidelines", args=[project.slug])}">Guidelines' in page
    assert "Next without a statement of mine" not in page  # viewers do not annotate


# --------------------------------------------------------------------------------------------
# Members


def _members(project):
    return reverse("project_members", args=[project.slug])


def test_a_lead_sees_the_members_with_their_roles(client, lead, analyst, viewer, project):
    client.force_login(lead)
    page = _text(client.get(_members(project)))
    for user, role in ((lead, "lead"), (analyst, "analyst"), (viewer, "viewer")):
        membership = Membership.objects.get(project=project, user=user)
        row = page[page.index(f'id="member-{membership.pk}"') :]
        row = row[: row.index("</tr>")]
        assert user.username in row and f'<option value="{role}" selected>' in row
    assert page.index(lead.username) < page.index(analyst.username) < page.index(viewer.username)


def test_a_lead_adds_an_existing_user(client, lead, project, outsider):
    client.force_login(lead)
    response = client.post(_members(project), {"action": "add", "username": "OLGA", "role": "viewer"})
    assert response.status_code == 302
    assert Membership.objects.get(project=project, user=outsider).role == Role.VIEWER
    assert "Olga Orlova added as viewer." in _text(client.get(response["Location"]))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "add", "username": "nobody", "role": "analyst"}, "There is no account called “nobody”"),
        ({"action": "add", "username": "", "role": "analyst"}, "Enter the user name"),
        ({"action": "add", "username": "amira", "role": "analyst"}, "already a member"),
        ({"action": "add", "username": "olga", "role": "boss"}, "is not a role"),
        ({"action": "dance"}, "Choose add, invite, change role or remove."),
    ],
)
def test_bad_member_changes_are_refused_with_the_reason(
    client, lead, analyst, outsider, project, data, message
):
    client.force_login(lead)
    before = list(Membership.objects.filter(project=project).values_list("user_id", "role"))
    response = client.post(_members(project), data)
    assert response.status_code == 422
    assert message in _text(response) and "Nothing was changed." in _text(response)
    assert list(Membership.objects.filter(project=project).values_list("user_id", "role")) == before


def test_a_lead_changes_a_role_and_removes_a_member_with_htmx(client, lead, analyst, project):
    client.force_login(lead)
    membership = Membership.objects.get(project=project, user=analyst)
    response = client.post(
        _members(project), {"action": "role", "membership": membership.pk, "role": "lead"}, headers=HX
    )
    assert response.status_code == 200 and _text(response).lstrip().startswith('<section id="members"')
    assert "is now lead" in response["HX-Trigger"]
    membership.refresh_from_db()
    assert membership.role == Role.LEAD
    response = client.post(_members(project), {"action": "remove", "membership": membership.pk}, headers=HX)
    assert response.status_code == 200 and "removed from the project" in response["HX-Trigger"]
    assert not Membership.objects.filter(pk=membership.pk).exists()
    # the removed member no longer sees the project
    client.force_login(analyst)
    assert client.get(project.get_absolute_url()).status_code == 404


def test_the_last_lead_can_be_neither_removed_nor_demoted(client, lead, project):
    client.force_login(lead)
    membership = Membership.objects.get(project=project, user=lead)
    response = client.post(_members(project), {"action": "remove", "membership": membership.pk})
    assert response.status_code == 422 and "The last lead of a project cannot be removed." in _text(response)
    response = client.post(
        _members(project), {"action": "role", "membership": membership.pk, "role": "viewer"}
    )
    assert response.status_code == 422 and "The project needs a lead" in _text(response)
    membership.refresh_from_db()
    assert membership.role == Role.LEAD


def test_a_membership_of_another_project_is_not_found(client, lead, project, outsider, other_project):
    client.force_login(lead)
    theirs = Membership.objects.get(project=other_project, user=outsider)
    response = client.post(_members(project), {"action": "remove", "membership": theirs.pk})
    assert response.status_code == 404 and Membership.objects.filter(pk=theirs.pk).exists()
    response = client.post(_members(project), {"action": "role", "membership": "1x", "role": "viewer"})
    assert response.status_code == 404


def test_a_lead_who_steps_down_goes_to_the_project_page(client, lead, analyst, project):
    Membership.objects.filter(project=project, user=analyst).update(role=Role.LEAD)
    client.force_login(lead)
    mine = Membership.objects.get(project=project, user=lead)
    response = client.post(_members(project), {"action": "role", "membership": mine.pk, "role": "analyst"})
    assert response.status_code == 302 and response["Location"] == project.get_absolute_url()
    response = client.post(
        _members(project), {"action": "role", "membership": mine.pk, "role": "viewer"}, headers=HX
    )
    assert response.status_code == 403  # no longer a lead


def test_a_lead_invites_someone_new_with_a_one_time_set_password_link(client, lead, project):
    client.force_login(lead)
    response = client.post(
        _members(project),
        {"action": "invite", "username": "nadia", "first_name": "Nadia", "last_name": "N", "role": "analyst"},
    )
    assert response.status_code == 200
    account = User.objects.get(username="nadia")
    assert not account.has_usable_password() and account.first_name == "Nadia"
    assert Membership.objects.get(project=project, user=account).role == Role.ANALYST
    link = re.search(r'id="invite-link" readonly value="([^"]+)"', _text(response)).group(1)
    assert link.startswith("http://testserver/accounts/set-password/")
    # shown once: the members page does not show it again
    assert link not in _text(client.get(_members(project)))

    # the invited person sets a password through the link and is signed in
    client.logout()
    response = client.get(link)
    assert response.status_code == 302  # Django moves the token out of the URL into the session
    form_url = response["Location"]
    page = _text(client.get(form_url))
    assert "Choose your password" in page and "nadia" in page
    response = client.post(
        form_url, {"new_password1": "a-Long-pass-phrase-42", "new_password2": "a-Long-pass-phrase-42"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("home")
    account.refresh_from_db()
    assert account.check_password("a-Long-pass-phrase-42")
    assert project.name in _text(client.get(reverse("home")))
    # and the link is spent
    client.logout()
    response = client.get(link, follow=True)
    assert "This link does not work any more" in _text(response)


def test_an_invitation_with_htmx_answers_the_members_fragment_with_the_link(client, lead, project):
    client.force_login(lead)
    response = client.post(
        _members(project), {"action": "invite", "username": "omar", "role": "viewer"}, headers=HX
    )
    assert response.status_code == 200 and 'id="invite-link"' in _text(response)
    assert "<html" not in _text(response)
    account = User.objects.get(username="omar")
    uid = re.search(r"set-password/([^/]+)/([^/]+)/", _text(response))
    assert default_token_generator.check_token(account, uid.group(2))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"username": "amira", "role": "analyst"}, "is taken"),
        ({"username": "bad name!", "role": "analyst"}, "Use at most 150 letters"),
        ({"username": "newbie", "role": "boss"}, "is not a role"),
        ({"username": "newbie", "role": "analyst", "email": "nope"}, "valid e-mail"),
    ],
)
def test_a_bad_invitation_creates_no_account(client, lead, analyst, project, data, message):
    client.force_login(lead)
    before = User.objects.count()
    response = client.post(_members(project), {"action": "invite", **data})
    assert response.status_code == 422 and message in _text(response)
    assert User.objects.count() == before
    assert "invite-link" not in _text(response)


def test_an_admin_manages_members_of_any_project(client, admin, project, outsider):
    client.force_login(admin)
    response = client.post(_members(project), {"action": "add", "username": "olga", "role": "analyst"})
    assert response.status_code == 302
    assert permissions.role_in(User.objects.get(pk=outsider.pk), project) == Role.ANALYST


# --------------------------------------------------------------------------------------------
# Guidelines


def test_guidelines_are_rendered_from_markdown_with_html_escaped(client, viewer, lead, project):
    services.project_update(
        project=project,
        user=lead,
        guidelines=(
            "# Codebook\n\n**Mark** quotes.\n\n<script>alert(1)</script>\n\n"
            "[bad](javascript:alert(1)) [good](https://example.org)\n\n| a | b |\n|---|---|\n| 1 | 2 |"
        ),
    )
    client.force_login(viewer)
    page = _text(client.get(reverse("project_guidelines", args=[project.slug])))
    assert "<h1>Codebook</h1>" in page and "<strong>Mark</strong>" in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'href="javascript:' not in page and '<a href="https://example.org">good</a>' in page
    assert "<table>" in page
    assert "Edit the guidelines" not in page  # viewers read only


def test_a_lead_edits_the_guidelines_and_the_history_keeps_every_version(client, lead, viewer, project):
    client.force_login(lead)
    edit = reverse("project_guidelines_edit", args=[project.slug])
    page = _text(client.get(edit))
    assert "<textarea" in page
    # preview renders without saving
    response = client.post(edit, {"guidelines": "# First rule", "preview": "1"})
    assert response.status_code == 200 and "<h1>First rule</h1>" in _text(response)
    project.refresh_from_db()
    assert project.guidelines != "# First rule"
    response = client.post(edit, {"guidelines": "# First rule\r\n\r\nQuote exactly."})
    assert response.status_code == 302 and response["Location"] == reverse(
        "project_guidelines", args=[project.slug]
    )
    client.post(edit, {"guidelines": "# Second rule"})
    project.refresh_from_db()
    assert project.guidelines == "# Second rule"
    revisions = list(GuidelinesRevision.objects.filter(project=project).order_by("-edited_at", "-id"))
    assert [r.body for r in revisions[:2]] == ["# Second rule", "# First rule\n\nQuote exactly."]
    client.force_login(viewer)
    url = reverse("project_guidelines", args=[project.slug])
    page = _text(client.get(url))
    assert "<h1>Second rule</h1>" in page and page.count("<time datetime=") == len(revisions)
    assert "Lena Lindqvist" in page
    old = _text(client.get(url, {"revision": revisions[1].pk}))
    assert "<h1>First rule</h1>" in old and "An earlier version, saved by Lena Lindqvist" in old


def test_saving_unchanged_guidelines_keeps_no_new_revision(client, lead, project):
    client.force_login(lead)
    before = GuidelinesRevision.objects.filter(project=project).count()
    client.post(reverse("project_guidelines_edit", args=[project.slug]), {"guidelines": project.guidelines})
    assert GuidelinesRevision.objects.filter(project=project).count() == before


def test_too_long_guidelines_are_refused(client, lead, project):
    client.force_login(lead)
    response = client.post(
        reverse("project_guidelines_edit", args=[project.slug]), {"guidelines": "x" * 200_001}
    )
    assert response.status_code == 422 and "at most 200,000 characters" in _text(response)
    assert 'name="guidelines"' in _text(response)


def test_a_revision_of_another_project_or_a_bad_id_is_not_shown(client, lead, project, other_project, admin):
    theirs = services.project_update(project=other_project, user=admin, guidelines="# Their secret")
    revision = GuidelinesRevision.objects.get(project=theirs, body="# Their secret")
    client.force_login(lead)
    url = reverse("project_guidelines", args=[project.slug])
    for value in (revision.pk, "x", "-1"):
        response = client.get(url, {"revision": value}, follow=True)
        assert "Their secret" not in _text(response) and "no such version" in _text(response)


def test_the_review_queue_links_the_current_projects_guidelines(client, analyst, project):
    client.force_login(analyst)
    page = _text(client.get(reverse("review_queue"), {"project": project.pk}))
    assert f'href="{reverse("project_guidelines", args=[project.slug])}">Guidelines' in page


# --------------------------------------------------------------------------------------------
# Bulk upload


def _upload(project):
    return reverse("project_upload", args=[project.slug])


def test_several_text_files_become_articles_of_the_project(client, analyst, project):
    client.force_login(analyst)
    files = [
        _txt("putin_answers.txt", "Putin said yes."),
        _txt("trump.txt", "\ufeffTrump said maybe."),
        _txt("kyiv.txt", "Kyiv said no."),
    ]
    response = client.post(_upload(project), {"files": files})
    assert response.status_code == 200
    page = _text(response)
    assert page.count(">Created<") == 3 and "3 created, 0 already there" in page
    articles = {a.title: a for a in Article.objects.filter(project=project)}
    assert set(articles) == {"putin answers", "trump", "kyiv"}
    assert articles["trump"].text == "Trump said maybe." and articles["trump"].created_by == analyst
    assert f'href="{articles["kyiv"].get_absolute_url()}"' in page


def test_uploading_the_same_texts_again_reports_them_as_already_there(client, analyst, project):
    existing = ArticleFactory(project=project, title="Old title", text="Putin said yes.")
    client.force_login(analyst)
    files = [_txt("a.txt", "Putin said yes."), _txt("b.txt", "New one."), _txt("c.txt", "New one.")]
    page = _text(client.post(_upload(project), {"files": files}))
    assert page.count(">Already there<") == 2 and page.count(">Created<") == 1
    assert f'href="{existing.get_absolute_url()}">Old title</a>' in page
    assert "(the same text as b.txt)" in page
    assert Article.objects.filter(project=project).count() == 2


def test_one_bad_file_means_nothing_is_imported(client, analyst, project):
    client.force_login(analyst)
    files = [
        _txt("good.txt", "Fine text."),
        SimpleUploadedFile("latin1.txt", "café".encode("latin-1")),
        _txt("empty.txt", ""),
    ]
    response = client.post(_upload(project), {"files": files})
    assert response.status_code == 422
    page = _text(response)
    assert "Nothing was imported" in page and "2 of 3 refused" in page
    assert "The file is not UTF-8 text." in page and "Text: This field is required." in page
    assert "Not imported" in page and "another file was refused" in page
    assert not Article.objects.filter(project=project).exists()


def test_a_text_over_the_article_limit_is_refused_with_the_reason(client, analyst, project):
    client.force_login(analyst)
    response = client.post(
        _upload(project), {"files": [_txt("long.txt", "x" * 500_001), _txt("ok.txt", "ok")]}
    )
    assert response.status_code == 422 and "500,000" in _text(response)
    assert not Article.objects.filter(project=project).exists()


def test_a_json_file_in_the_import_format(client, analyst, project):
    client.force_login(analyst)
    items = [
        {"title": "First", "text": "One text.", "source": "Reuters", "published": "2025-03-14"},
        {"title": "Second", "text": "Two text."},
    ]
    upload = SimpleUploadedFile("batch.json", json.dumps(items).encode(), content_type="application/json")
    page = _text(client.post(_upload(project), {"files": [upload]}))
    assert "item 1" in page and "item 2" in page and page.count(">Created<") == 2
    first = Article.objects.get(project=project, title="First")
    assert first.source == "Reuters" and str(first.published) == "2025-03-14"


def test_a_jsonl_file_with_a_bad_line_imports_nothing(client, analyst, project):
    client.force_login(analyst)
    body = b'{"title": "Good", "text": "Good text."}\nnot json\n{"title": "", "text": "No title."}\n'
    response = client.post(_upload(project), {"files": [SimpleUploadedFile("batch.jsonl", body)]})
    assert response.status_code == 422
    page = _text(response)
    assert "line 2" in page and "This line is not a JSON document" in page
    assert "line 3" in page and "Title: This field is required." in page
    assert not Article.objects.filter(project=project).exists()


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([], "Choose one or more .txt files"),
        ([("a.json", b"[]"), ("b.txt", b"x")], "Upload one JSON or JSON Lines file on its own"),
        ([("a.pdf", b"%PDF")], "Only .txt, .json and .jsonl files can be uploaded, not a.pdf"),
        ([("a.json", b"[not json")], "The file is not a JSON array"),
        ([("a.json", b"[]")], "holds no article"),
    ],
)
def test_an_upload_that_cannot_be_read_is_refused_as_a_whole(client, analyst, project, files, message):
    client.force_login(analyst)
    data = {"files": [SimpleUploadedFile(name, body) for name, body in files]}
    response = client.post(_upload(project), data)
    assert response.status_code == 422 and message in _text(response)
    assert "Nothing was imported." in _text(response)
    assert not Article.objects.filter(project=project).exists()


def test_an_upload_over_the_size_limit_is_refused_with_a_clear_error(client, analyst, project):
    client.force_login(analyst)
    response = client.post(
        _upload(project),
        {"files": [_txt("a.txt", "Small.")]},
        headers=HX,
        CONTENT_LENGTH=str(21 * 1024 * 1024),
    )
    assert response.status_code == 422
    assert "the limit is 20 MB at once" in _text(response)
    assert not Article.objects.filter(project=project).exists()


def test_a_text_file_over_two_megabytes_is_refused(client, analyst, project):
    client.force_login(analyst)
    response = client.post(_upload(project), {"files": [_txt("huge.txt", "é" * (1024 * 1024 + 10))]})
    assert response.status_code == 422 and "a text file may have at most 2 MB" in _text(response)


def test_the_upload_answers_htmx_with_the_result_fragment_and_a_status(client, analyst, project):
    client.force_login(analyst)
    page = _text(client.get(_upload(project)))
    assert 'hx-encoding="multipart/form-data"' in page and 'hx-indicator="#upload-progress"' in page
    assert "<progress" in page and "js/upload.js" in page
    response = client.post(
        _upload(project), {"files": [_txt("a.txt", "Alpha."), _txt("b.txt", "Beta.")]}, headers=HX
    )
    assert response.status_code == 200
    assert _text(response).lstrip().startswith('<section id="upload-result"')
    assert "2 articles created." in response["HX-Trigger"]


def test_nothing_is_uploaded_into_an_archived_project(client, lead, project):
    services.project_update(project=project, user=lead, archived=True)
    client.force_login(lead)
    assert "is archived" in _text(client.get(_upload(project)))
    response = client.post(_upload(project), {"files": [_txt("a.txt", "Alpha.")]})
    assert response.status_code == 422 and "is archived" in _text(response)
    assert not Article.objects.filter(project=project).exists()


def test_an_upload_goes_into_the_project_of_the_page_only(client, outsider, analyst, project, other_project):
    Membership.objects.create(project=other_project, user=analyst, role=Role.ANALYST)
    client.force_login(analyst)
    client.post(_upload(other_project), {"files": [_txt("a.txt", "Alpha.")]})
    assert Article.objects.get(text="Alpha.").project == other_project
    assert not Article.objects.filter(project=project).exists()


def test_upload_file_names_are_escaped(client, analyst, project):
    client.force_login(analyst)
    page = _text(client.post(_upload(project), {"files": [_txt("<i>x<i>.txt", "Alpha.")]}))
    assert "<i>x<i>" not in page and "&lt;i&gt;x&lt;i&gt;.txt" in page
    assert Article.objects.get(project=project).title == "<i>x<i>"


# --------------------------------------------------------------------------------------------
# The project filter on the review queue, feedback, agreement, dashboard and conditions pages


@pytest.mark.parametrize("name", ["review_queue", "feedback", "agreement", "condition_list", "dashboard"])
def test_the_per_project_pages_say_which_project_they_are_about(client, lead, project, other_project, name):
    Membership.objects.create(project=other_project, user=lead, role=Role.LEAD)
    client.force_login(lead)
    page = _text(client.get(reverse(name), {"project": other_project.pk}))
    assert f'<option value="{other_project.pk}" selected>{other_project.name}</option>' in page
    assert f'<option value="{project.pk}">{project.name}</option>' in page
    assert ('<option value="all"' in page) == (name != "dashboard")  # the dashboard is about one
    page = _text(client.get(reverse(name), {"project": "all"}))
    if name != "dashboard":
        assert '<option value="all" selected>All my projects</option>' in page


def test_the_project_filter_offers_only_my_projects(client, analyst, other_project):
    client.force_login(analyst)
    page = _text(client.get(reverse("feedback")))
    assert other_project.name not in page


def test_statements_stay_where_they_were_after_a_members_removal(client, lead, analyst, project):
    """Removing a member keeps their statements in the project."""
    statement = StatementFactory(article=ArticleFactory(project=project), user=analyst, quote=QUOTE)
    client.force_login(lead)
    membership = Membership.objects.get(project=project, user=analyst)
    client.post(_members(project), {"action": "remove", "membership": membership.pk})
    assert Statement.objects.filter(pk=statement.pk).exists()


def test_a_numeric_slug_chooses_its_own_project_not_the_one_with_that_id(client, analyst):
    """`?project=` takes a slug or an id; a project slugged "7" wins over project #7."""
    first = Project.objects.create(name="First study", slug="first-study")
    numbered = Project.objects.create(name="Year two", slug=str(first.pk))
    for project in (first, numbered):
        Membership.objects.create(project=project, user=analyst, role=Role.ANALYST)
    client.force_login(analyst)
    assert client.get(reverse("article_list"), {"project": str(first.pk)}).context["project"] == numbered
    assert client.get(reverse("article_list"), {"project": str(numbered.pk)}).context["project"] == numbered
    assert client.get(reverse("article_list"), {"project": "first-study"}).context["project"] == first
    assert client.get(reverse("article_list"), {"project": "no-such-study"}).status_code == 404


def test_the_document_rows_escape_what_users_typed(client, analyst, project):
    ArticleFactory(
        project=project,
        title='<script>alert("t")</script>',
        source="<b>Outlet</b> & co",
        dateline="KYIV'\"",
        published=None,
    )
    client.force_login(analyst)
    for url in (project.get_absolute_url(), reverse("article_list")):
        page = _text(client.get(url))
        assert "<script>alert" not in page and "<b>Outlet" not in page
        assert "&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt;" in page
        assert "&lt;b&gt;Outlet&lt;/b&gt; &amp; co" in page
        assert '<span class="muted">KYIV&#x27;&quot;</span>' in page
        assert '<td class="nowrap">—</td>' in page  # undated
