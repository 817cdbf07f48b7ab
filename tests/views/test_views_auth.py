"""Sign in, sign out, and sign-in required on every page and endpoint."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PAGES = [
    ("home", []),
    ("article_list", []),
    ("article_create", []),
    ("article_detail", [1]),
    ("actor_list", []),
    ("actor_create", []),
    ("actor_update", [1]),
    ("condition_list", []),
]
WRITES = [
    ("statement_create", [1]),
    ("statement_update", [1]),
    ("statement_delete", [1]),
    ("actor_create", []),
    ("actor_update", [1]),
    ("article_create", []),
]


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_every_page_asks_anonymous_users_to_sign_in(client, name, args):
    url = reverse(name, args=args)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize(("name", "args"), WRITES)
def test_every_write_asks_anonymous_users_to_sign_in(client, name, args):
    response = client.post(reverse(name, args=args), {"title": "x", "text": "y", "name": "z"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_sign_in_page_is_a_plain_labelled_form(client):
    page = client.get(reverse("login")).content.decode()
    assert '<label for="id_username">' in page and '<label for="id_password">' in page
    assert 'name="csrfmiddlewaretoken"' in page


def test_it_signs_in_and_goes_to_the_articles(client, analyst):
    response = client.post(reverse("login"), {"username": "amira", "password": "pw"})
    assert response.status_code == 302 and response["Location"] == reverse("article_list")
    assert client.get(reverse("article_list")).status_code == 200


def test_it_follows_next_after_signing_in(client, analyst):
    response = client.post(reverse("login"), {"username": "amira", "password": "pw", "next": "/conditions/"})
    assert response["Location"] == "/conditions/"


def test_a_wrong_password_is_an_inline_error(client, analyst):
    response = client.post(reverse("login"), {"username": "amira", "password": "nope"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'role="alert"' in page and "correct username and password" in page
    assert 'value="amira"' in page


def test_a_signed_in_user_is_sent_on_from_the_sign_in_page(client, analyst):
    client.force_login(analyst)
    assert client.get(reverse("login"))["Location"] == reverse("article_list")


def test_it_signs_out_with_a_post(client, analyst):
    client.force_login(analyst)
    page = client.get(reverse("article_list")).content.decode()
    assert f'action="{reverse("logout")}"' in page and "Sign out" in page
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert client.get(reverse("article_list")).status_code == 302


def test_the_navigation_marks_the_current_page(client, analyst):
    client.force_login(analyst)
    page = client.get(reverse("condition_list")).content.decode()
    assert 'href="/conditions/" aria-current="page"' in page
    assert 'href="/articles/" aria-current' not in page


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_an_htmx_request_without_a_session_is_sent_to_sign_in_by_hx_redirect(client, name, args):
    headers = {
        "HX-Request": "true",
        "HX-Target": "results",
        "HX-Current-URL": "http://testserver/articles/?q=x",
    }
    response = client.get(reverse(name, args=args), headers=headers)
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{reverse('login')}?next=%2Farticles%2F%3Fq%3Dx"


def test_an_htmx_write_without_a_session_changes_nothing(client):
    response = client.post(reverse("statement_delete", args=[1]), headers={"HX-Request": "true"})
    assert response["HX-Redirect"].startswith(reverse("login"))
