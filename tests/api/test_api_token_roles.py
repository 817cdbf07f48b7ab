"""The API's token lookup reads the caller's project roles in the same query
(statements/api/auth.py, permissions.roles_expression): the same roles as permissions.roles()
reads on its own, and DRF's answers for a wrong or an inactive account's token."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from statements import permissions
from statements.api.auth import ThrottledTokenAuthentication
from statements.models import Membership, Role, User
from tests.api.test_api_resources import client_for
from tests.factories import ProjectFactory, UserFactory


@pytest.mark.parametrize("memberships", [[], [Role.LEAD], [Role.LEAD, Role.VIEWER, Role.ANALYST]])
def test_the_token_brings_the_same_roles_as_the_memberships_query(db, memberships):
    user = UserFactory(username="tok", role__none=True)
    for role in memberships:
        Membership.objects.create(project=ProjectFactory(), user=user, role=role)
    token, _ = Token.objects.get_or_create(user=user)
    with CaptureQueriesContext(connection) as ctx:
        found, _token = ThrottledTokenAuthentication().authenticate_credentials(token.key)
        roles = permissions.roles(found)  # kept from the token's query: none more
    assert len(ctx.captured_queries) == 1
    fresh = User.objects.get(pk=user.pk)  # the same account, without the kept roles
    assert (
        roles
        == permissions.roles(fresh)
        == dict(Membership.objects.filter(user=user).values_list("project_id", "role"))
    )


def test_a_wrong_or_an_inactive_accounts_token_is_refused_as_drf_does(analyst):
    auth = ThrottledTokenAuthentication()
    with pytest.raises(AuthenticationFailed, match="Invalid token"):
        auth.authenticate_credentials("0" * 40)
    token, _ = Token.objects.get_or_create(user=analyst)
    analyst.is_active = False
    analyst.save()
    with pytest.raises(AuthenticationFailed, match="inactive"):
        auth.authenticate_credentials(token.key)
    assert client_for(analyst).get("/api/statements/").status_code == 401
