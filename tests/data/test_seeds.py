"""The sample corpus: loads, is idempotent, and satisfies every invariant."""

import datetime as dt

import pytest
from django.core.management import call_command

from statements.data.seeding import SeedError, locate, parse_article_file
from statements.models import Actor, ActorAlias, Article, Condition, Statement, StatementEvent, User

pytestmark = pytest.mark.django_db

MODELS = [User, Actor, ActorAlias, Article, Statement, Condition, StatementEvent]


def _counts():
    return {m.__name__: m.objects.count() for m in MODELS}


def test_it_loads_the_seed_article_with_its_metadata(seeded):
    assert seeded.published == dt.date(2025, 3, 14)
    assert seeded.dateline == "MOSCOW"
    assert seeded.text.startswith("President Vladimir Putin said on Thursday (Mar 13)")
    assert "date 2025-03-14" not in seeded.text


def test_load_seeds_twice_changes_nothing(seeded):
    before = _counts()
    call_command("load_seeds", verbosity=0)
    assert _counts() == before


def test_every_seed_statement_satisfies_the_invariants(seeded):
    statements = list(seeded.statements.select_related("speaker").prefetch_related("conditions"))
    assert len(statements) >= 15
    for s in statements:
        assert 0 <= s.start < s.end <= len(seeded.text)
        assert seeded.text[s.start : s.end] == s.quote
        assert s.stance in {"support", "caveat", "demand"}
        assert s.speaker is not None, s.quote
        for c in s.conditions.all():
            if c.has_evidence:
                assert seeded.text[c.evidence_start : c.evidence_end] == c.evidence_quote
                assert s.start <= c.evidence_start < c.evidence_end <= s.end


def test_the_seed_annotation_covers_the_key_statements(seeded):
    by_quote = {s.quote: s for s in seeded.statements.select_related("speaker")}
    assert by_quote["We agree with the proposals to cease hostilities"].speaker.name == "Vladimir Putin"
    demand = by_quote["any truce would have to address the root causes of the conflict"]
    assert demand.stance == "demand"
    conditions = Condition.objects.filter(statement__article=seeded).values_list("evidence_quote", flat=True)
    assert "would lead to long-term peace" in conditions
    assert "would eliminate the original causes of this crisis" in conditions
    stances = set(seeded.statements.values_list("stance", flat=True))
    assert stances == {"support", "caveat", "demand"}


def test_seed_actors_have_aliases_and_affiliations(seeded):
    putin = Actor.objects.get(name="Vladimir Putin")
    assert putin.affiliation.name == "Russia"
    assert "the Russian leader" in putin.alias_names
    assert list(Actor.objects.search("kremlin")) == [Actor.objects.get(name="Russia")]


def test_the_seed_file_header_becomes_metadata():
    published, dateline, body = parse_article_file(" date 2025-03-14 MOSCOW: President said.\n\nMore.")
    assert (published, dateline, body) == (dt.date(2025, 3, 14), "MOSCOW", "President said.\n\nMore.")
    assert parse_article_file("No header here.") == (None, "", "No header here.")


def test_locate_fails_loudly():
    with pytest.raises(SeedError):
        locate("abc abc", "abc")  # ambiguous
    with pytest.raises(SeedError):
        locate("abc", "zzz")
    assert locate("abc abc", "abc", occurrence=2) == (4, 7)
