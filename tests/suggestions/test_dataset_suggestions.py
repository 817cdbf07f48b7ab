"""The dataset dump (export_dataset / import_dataset) keeps the decisions on suggestions (format
version 3) and the provenance in the statements' history: dump, load, dump gives the same bytes."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from statements.models import Decision, EventAction, Statement, StatementEvent, SuggestionDecision
from statements.selectors import suggestions as reads
from statements.services import suggestions as svc
from tests.data.test_dataset import dump, empty_the_database
from tests.suggestions.helpers import MUST, OLSEN, WELCOME, article, registry, sid

pytestmark = pytest.mark.django_db


def test_a_dump_round_trip_keeps_the_decisions_and_the_provenance(analyst, tmp_path):
    registry()
    doc = article()
    svc.suggestion_accept(article=doc, user=analyst, suggestion=sid(WELCOME))
    svc.suggestion_accept(article=doc, user=analyst, suggestion=sid(MUST), edits={"stance": "caveat"})
    svc.suggestion_reject(article=doc, user=analyst, suggestion=sid(OLSEN))
    first = dump()
    records = [json.loads(line) for line in first.splitlines()]
    assert records[0]["version"] == 3
    decisions = [r for r in records if r.get("type") == "suggestion_decision"]
    assert [d["decision"] for d in decisions] == ["accepted", "changed", "rejected"]
    path = tmp_path / "dump.jsonl"
    path.write_text(first, encoding="utf-8")

    empty_the_database()
    assert not SuggestionDecision.objects.exists()
    call_command("import_dataset", str(path), stdout=io.StringIO())
    assert dump() == first
    must = Statement.objects.get(quote=MUST)
    assert must.suggestion_decision.decision == Decision.CHANGED and must.stance == "caveat"
    created = StatementEvent.objects.get(statement=must, action=EventAction.CREATED)
    assert created.after["suggestion"]["changed"] is True
    rejected = SuggestionDecision.objects.get(decision=Decision.REJECTED)
    assert rejected.quote == OLSEN and rejected.statement is None
    # and a rejected suggestion still does not come back for its analyst
    analyst_again = rejected.user
    assert sid(OLSEN) not in [s["id"] for s in reads.offered_suggestions(rejected.article, analyst_again)]
