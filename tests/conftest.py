"""Shared fixtures: one user per role, the seed corpus, and the Playwright/Chromium set-up."""

import os
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from statements.models import Article, Role
from tests.factories import ActorFactory, ArticleFactory, StatementFactory, UserFactory

# Playwright's sync API runs an event loop in the test thread; Django's ORM would otherwise
# refuse to run there (SynchronousOnlyOperation). Tests only, never in real settings.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS", Path(__file__).resolve().parent.parent / "test-output"))


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (the dashboard caches corpus-wide numbers) and no
    sign-in failures counted (statements/services/signin.py)."""
    from django.core.cache import cache, caches

    cache.clear()
    caches["signin"].clear()


@pytest.fixture
def analyst(db):
    return UserFactory(username="amira", first_name="Amira", last_name="Haddad", role=Role.ANALYST)


@pytest.fixture
def other_analyst(db):
    return UserFactory(username="ben", first_name="Ben", last_name="Okafor", role=Role.ANALYST)


@pytest.fixture
def lead(db):
    return UserFactory(username="lena", first_name="Lena", last_name="Lindqvist", role=Role.LEAD)


@pytest.fixture
def viewer(db):
    return UserFactory(username="victor", first_name="Victor", last_name="Vance", role=Role.VIEWER)


@pytest.fixture
def seeded(db) -> Article:
    """The seed article with its worked annotation, loaded by the real `load_seeds` command."""
    call_command("load_seeds", verbosity=0)
    return Article.objects.get()


@pytest.fixture
def double_annotated(analyst, other_analyst):
    """One article annotated by Amira (`analyst`) and Ben (`other_analyst`): two units they
    agree on, one stance disagreement, one span-and-speaker disagreement, one only Amira
    marked. Returns the article and the statements by name (`agree1_a`, `stance_b`, ...)."""
    putin = ActorFactory(name="Vladimir Putin")
    trump = ActorFactory(name="Donald Trump")
    article = ArticleFactory(title="Putin answers the ceasefire proposal", source="Reuters")
    made = {"article": article, "putin": putin, "trump": trump}
    plan = [
        ("agree1", analyst, "very promising", "support", trump.pk),
        ("agree1", other_analyst, "very promising", "support", trump.pk),
        ("agree2", analyst, "Putin told reporters", "caveat", putin.pk),
        ("agree2", other_analyst, "Putin told reporters", "caveat", putin.pk),
        ("stance", analyst, "do the right thing", "demand", trump.pk),
        ("stance", other_analyst, "do the right thing", "caveat", trump.pk),
        ("span", analyst, "We agree with the proposals to cease hostilities", "support", putin.pk),
        ("span", other_analyst, "We agree with the proposals", "support", None),
        ("alone", analyst, "Russia supported a US proposal", "support", None),
    ]
    for name, user, quote, stance, speaker in plan:
        key = f"{name}_{'a' if user == analyst else 'b'}"
        made[key] = StatementFactory(article=article, user=user, quote=quote, stance=stance, speaker=speaker)
    return made


# ---- Browser tests (pytest-playwright driving Debian's Chromium) -----------------------------


def pytest_collection_modifyitems(config, items):
    """Browser tests need /usr/bin/chromium. Locally they skip without it; in CI (CI=true)
    a missing browser is a failure, never a silent skip."""
    if Path(CHROMIUM).exists() or os.environ.get("CI", "").lower() == "true":
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is not installed (apt-get install -y chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: .ci/run and `make test` install it with apt-get.")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def base_url(live_server):
    return live_server.url


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


# A page is quiet when it has loaded, its scripts listen (the Annotate page says data-ready), no
# htmx request or swap is under way and the suggestions have arrived: on a loaded machine, what
# arrives late moves the text, and a click or a drag aimed before lands elsewhere.
QUIET_PAGE = """() => document.readyState === "complete"
  && !document.querySelector(".htmx-request, .htmx-swapping, .htmx-settling, [aria-busy='true']")
  && (document.querySelector("[data-suggest-count]")?.textContent.trim() ?? "") !== "…"
  && !document.querySelector("#annotate:not([data-ready])")"""


@pytest.fixture
def page(page):
    """pytest-playwright's page, whose goto() returns once the page is quiet (QUIET_PAGE)."""
    goto = page.goto

    def quiet_goto(url, **kwargs):
        response = goto(url, **kwargs)
        page.wait_for_function(QUIET_PAGE)
        return response

    page.goto = quiet_goto
    return page


@pytest.fixture
def login(page, live_server):
    """Sign `user` in through the real sign-in form; returns the page."""

    def _login(user, password="pw"):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{live_server.url}/articles/**")
        return page

    return _login


def pytest_sessionfinish(session, exitstatus):
    # Keep the artifacts folder tidy between runs only if a test created it empty.
    if ARTIFACTS.exists() and not any(ARTIFACTS.iterdir()):
        shutil.rmtree(ARTIFACTS, ignore_errors=True)
