"""Projects, memberships and per-project roles through the services (pages and API call these)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from statements import permissions, services
from statements.models import GuidelinesRevision, Membership, Role, Statement
from tests.factories import ArticleFactory, ProjectFactory, StatementFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_projects():
    """A and B with overlapping members: Lena leads A and only views B; Amira annotates A; Ben
    annotates B; Ola leads B."""
    a, b = ProjectFactory(name="Ceasefire week"), ProjectFactory(name="Sanctions year")
    lena = UserFactory(username="lena", role=Role.LEAD, role__project=a)
    Membership.objects.create(project=b, user=lena, role=Role.VIEWER)
    amira = UserFactory(username="amira", role=Role.ANALYST, role__project=a)
    ben = UserFactory(username="ben", role=Role.ANALYST, role__project=b)
    ola = UserFactory(username="ola", role=Role.LEAD, role__project=b)
    return {"a": a, "b": b, "lena": lena, "amira": amira, "ben": ben, "ola": ola}


def _fields(statement: Statement) -> dict:
    return {
        "start": statement.start,
        "end": statement.end,
        "quote": statement.quote,
        "stance": statement.stance,
        "speaker": statement.speaker_id,
        "addressee": statement.addressee_id,
        "note": "",
        "conditions": [],
    }


def test_it_lets_a_lead_of_a_who_views_b_adjudicate_in_a_and_write_nothing_in_b(two_projects):
    p = two_projects
    in_a = StatementFactory(article=ArticleFactory(project=p["a"]), user=p["amira"])
    in_b = StatementFactory(article=ArticleFactory(project=p["b"]), user=p["ben"])
    gold = services.statement_adjudicate(
        article=in_a.article, user=p["lena"], sources=[in_a], **_fields(in_a)
    )
    assert gold.is_gold and gold.article.project == p["a"]
    with pytest.raises(PermissionDenied):
        services.statement_adjudicate(article=in_b.article, user=p["lena"], sources=[in_b], **_fields(in_b))
    with pytest.raises(PermissionDenied):
        services.article_create(user=p["lena"], project=p["b"], title="T", text="Some other text.")
    with pytest.raises(PermissionDenied):
        StatementFactory(article=in_b.article, user=p["lena"], quote="told reporters")
    with pytest.raises(PermissionDenied):
        services.statement_review(statement=in_b, reviewer=p["lena"], verdict="accept")
    with pytest.raises(PermissionDenied):
        services.statement_update(statement=in_b, user=p["lena"], stance="demand")
    # but she reads B: its statements are visible to her, and she reviews in A
    assert permissions.can_see_statement(p["lena"], in_b)
    assert services.statement_review(statement=in_a, reviewer=p["lena"], verdict="accept").verdict == "accept"


def test_a_non_member_sees_nothing_of_the_other_project(two_projects):
    p = two_projects
    in_b = StatementFactory(article=ArticleFactory(project=p["b"]), user=p["ben"])
    assert not permissions.can_see_statement(p["amira"], in_b)
    assert (
        not Statement.objects.filter(permissions.visible_statements_q(p["amira"])).filter(pk=in_b.pk).exists()
    )
    with pytest.raises(PermissionDenied):
        services.comment_add(statement=in_b, author=p["amira"], body="Hello")


def test_an_article_goes_to_the_only_project_one_writes_in_or_needs_a_choice(two_projects):
    p = two_projects
    article = services.article_create(user=p["amira"], title="T", text="Only one project for Amira.")
    assert article.project == p["a"]
    Membership.objects.create(project=p["b"], user=p["amira"], role=Role.ANALYST)
    permissions.forget_roles(p["amira"])
    with pytest.raises(ValidationError) as exc:
        services.article_create(user=p["amira"], title="T", text="Now she has two.")
    assert "project" in exc.value.message_dict
    # the same text may exist once per project
    services.article_create(user=p["amira"], project=p["b"], title="T", text="Only one project for Amira.")


def test_an_archived_project_takes_no_new_articles(two_projects, admin_user):
    p = two_projects
    services.project_update(project=p["a"], user=p["lena"], archived=True)
    with pytest.raises(ValidationError) as exc:
        services.article_create(user=p["lena"], project=p["a"], title="T", text="Too late.")
    assert "archived" in exc.value.message_dict["project"][0]


def test_only_admins_create_projects_which_start_from_the_codebook(two_projects, admin_user):
    with pytest.raises(PermissionDenied):
        services.project_create(user=two_projects["lena"], name="Mine")
    project = services.project_create(user=admin_user, name="Gas transit", description="Winter 2027")
    assert "demand beats caveat" in project.guidelines
    assert Membership.objects.get(project=project, user=admin_user).role == Role.LEAD
    assert GuidelinesRevision.objects.filter(project=project).count() == 1
    with pytest.raises(ValidationError):
        services.project_create(user=admin_user, name="GAS TRANSIT")
    assert project.slug == "gas-transit"


def test_guideline_edits_are_kept_as_revisions_by_leads_only(two_projects):
    p = two_projects
    with pytest.raises(PermissionDenied):
        services.project_update(project=p["a"], user=p["amira"], guidelines="# Mine")
    services.project_update(project=p["a"], user=p["lena"], guidelines="# Rules\r\nOne.")
    services.project_update(project=p["a"], user=p["lena"], guidelines="# Rules\nOne.")  # no change
    p["a"].refresh_from_db()
    assert p["a"].guidelines == "# Rules\nOne."
    assert list(GuidelinesRevision.objects.filter(project=p["a"]).values_list("body", flat=True)) == [
        "# Rules\nOne."
    ]


def test_members_are_managed_by_leads_and_the_last_lead_stays(two_projects):
    p = two_projects
    newcomer = UserFactory(username="nia", role=None)
    with pytest.raises(PermissionDenied):
        services.membership_add(project=p["a"], member=newcomer, role=Role.ANALYST, user=p["amira"])
    membership = services.membership_add(project=p["a"], member=newcomer, role=Role.VIEWER, user=p["lena"])
    assert permissions.role_in(newcomer, p["a"]) == Role.VIEWER
    with pytest.raises(ValidationError):
        services.membership_add(project=p["a"], member=newcomer, role=Role.ANALYST, user=p["lena"])
    with pytest.raises(ValidationError):
        services.membership_update(membership=membership, role="emperor", user=p["lena"])
    services.membership_update(membership=membership, role=Role.ANALYST, user=p["lena"])
    assert permissions.role_in(newcomer, p["a"]) == Role.ANALYST
    lead = Membership.objects.get(project=p["a"], user=p["lena"])
    with pytest.raises(ValidationError, match="needs a lead"):
        services.membership_update(membership=lead, role=Role.VIEWER, user=p["lena"])
    with pytest.raises(ValidationError, match="last lead"):
        services.membership_remove(membership=lead, user=p["lena"])
    services.membership_remove(membership=membership, user=p["lena"])
    assert permissions.role_in(newcomer, p["a"]) is None


def test_leads_create_accounts_without_a_usable_password(two_projects):
    p = two_projects
    with pytest.raises(PermissionDenied):
        services.account_create(user=p["amira"], username="zoe")
    account = services.account_create(user=p["lena"], username="zoe", first_name="Zoe")
    assert not account.has_usable_password()
    with pytest.raises(ValidationError):
        services.account_create(user=p["lena"], username="ZOE")
    with pytest.raises(ValidationError):
        services.account_create(user=p["lena"], username="bad name!")
