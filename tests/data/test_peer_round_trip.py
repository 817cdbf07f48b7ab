"""Exports in the peers' formats (data/peer_exports.py, through the export endpoint and
`export_statements`) and the round trips: every format's export imported into an empty project
gives back the same spans, speakers and stances; our JSONL export → import → export gives the
same statements."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from statements import permissions, services
from statements.data import exporting, peer_exports
from statements.data.statement_import import import_statements_file
from statements.models import Actor, ActorAlias, Membership, Role, Statement
from statements.services.bulk import ImportOptions
from tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

TEXTS = [
    "MOSCOW 😀: Vladimir Putin said on Thursday: “We agree with the proposals to cease hostilities, "
    "but the ceasefire must address the root causes.” The Kremlin later demanded guarantees.\n\n"
    "Лавров заявил: «Мы готовы к переговорам».",
    "WASHINGTON 🇺🇦: Donald Trump told Putin that “a deal is very close” and urged Moscow to "
    "“do the right thing” before Friday. Trump said sanctions would follow otherwise.",
]


@pytest.fixture
def corpus():
    """Project A with two articles and statements by two analysts: speakers mentioned by name or
    alias (and one not mentioned at all), an addressee, notes, conditions with and without
    evidence, overlapping spans."""
    source = ProjectFactory(name="Source")
    lead = UserFactory(username="lead_a", role=Role.LEAD, role__project=source)
    amira = UserFactory(username="amira", role=Role.ANALYST, role__project=source)
    putin = Actor.objects.create(name="Vladimir Putin")
    ActorAlias.objects.create(actor=putin, name="the Kremlin")
    trump = Actor.objects.create(name="Donald Trump")
    lavrov = Actor.objects.create(name="Sergei Lavrov")
    ActorAlias.objects.create(actor=lavrov, name="Лавров")
    zelensky = Actor.objects.create(name="Volodymyr Zelensky")  # never mentioned in the texts
    a1 = services.article_create(
        user=lead, project=source, title="Putin on truce", text=TEXTS[0], url="https://example.org/1"
    )
    a2 = services.article_create(
        user=lead, project=source, title="Trump on deal", text=TEXTS[1], published="2025-03-14"
    )

    def tag(article, quote, stance, user, **kw):
        start = article.text.index(quote)
        return services.statement_create(
            article=article, user=user, start=start, end=start + len(quote), quote=quote, stance=stance, **kw
        )

    root = "the ceasefire must address the root causes"
    tag(
        a1,
        "We agree with the proposals to cease hostilities, but the ceasefire must address the root causes.",
        "caveat",
        amira,
        speaker=putin,
        addressee=trump,
        note="conditional support",
        conditions=[
            {
                "description": "address the root causes",
                "evidence_start": TEXTS[0].index(root),
                "evidence_end": TEXTS[0].index(root) + len(root),
                "evidence_quote": root,
            },
            {"description": "guarantees for Russia"},
        ],
    )
    tag(a1, "We agree with the proposals to cease hostilities", "support", lead, speaker=putin)
    tag(a1, "demanded guarantees", "demand", amira, speaker=putin)
    tag(a1, "Мы готовы к переговорам", "support", amira, speaker=lavrov)
    tag(a2, "a deal is very close", "support", amira, speaker=trump, addressee=putin)
    tag(a2, "do the right thing", "demand", lead, speaker=zelensky)
    tag(a2, "sanctions would follow otherwise", "caveat", amira, speaker=trump, note="a threat")
    return source, lead


def picture(project):
    """Spans, speakers and stances per article text."""
    return sorted(
        (s.article.text, s.start, s.end, s.quote, s.stance, s.speaker.name if s.speaker else None)
        for s in Statement.objects.filter(article__project=project).select_related("article", "speaker")
    )


def export_via_api(user, fmt: str, project) -> bytes:
    client = APIClient()
    client.force_authenticate(user)
    response = client.get(reverse("api-export-statements"), {"format": fmt, "project": project.pk})
    assert response.status_code == 200, response.content[:500]
    return b"".join(response.streaming_content)


def import_into_empty(data: bytes, fmt: str, user):
    target = ProjectFactory(name=f"Copy {fmt}")
    Membership.objects.create(project=target, user=user, role=Role.LEAD)
    permissions.forget_roles(user)
    result = import_statements_file(
        io.BytesIO(data),
        user=user,
        project=target,
        fmt=None,
        options=ImportOptions(unknown_annotators="inactive"),
    )
    return target, result


@pytest.mark.parametrize("fmt", ["label-studio", "doccano", "brat", "events", "jsonl", "w3c"])
def test_it_round_trips_each_format_into_an_empty_project(fmt, corpus):
    source, lead = corpus
    data = export_via_api(lead, fmt, source)
    target, result = import_into_empty(data, fmt, lead)
    assert result.statements == 7
    assert picture(target) == picture(source)
    if fmt not in ("events",):  # the events record carries the annotator's name only as coder
        annotators = sorted(
            Statement.objects.filter(article__project=target).values_list("annotator__username", flat=True)
        )
        assert annotators == sorted(
            Statement.objects.filter(article__project=source).values_list("annotator__username", flat=True)
        )


def test_it_keeps_notes_conditions_and_addressees_through_label_studio_and_brat(corpus):
    source, lead = corpus
    for fmt in ("label-studio", "brat", "doccano"):
        target, _ = import_into_empty(export_via_api(lead, fmt, source), fmt, lead)
        caveat = Statement.objects.get(article__project=target, note="conditional support")
        assert caveat.addressee.name == "Donald Trump"
        got = sorted((c.description, c.evidence_quote) for c in caveat.conditions.all())
        assert got == [
            ("address the root causes", "the ceasefire must address the root causes"),
            ("guarantees for Russia", ""),
        ], fmt


def _comparable(line: bytes) -> dict:
    row = json.loads(line)
    for key in ("id", "created_at", "updated_at"):
        row.pop(key, None)
    row["article"].pop("id", None)
    return row


def test_it_gives_back_the_same_jsonl_after_export_import_export(corpus):
    source, lead = corpus
    first = export_via_api(lead, "jsonl", source)
    target, _ = import_into_empty(first, "jsonl", lead)
    second = export_via_api(lead, "jsonl", target)
    a = sorted((_comparable(x) for x in first.splitlines()), key=json.dumps)
    b = sorted((_comparable(x) for x in second.splitlines()), key=json.dumps)
    assert len(a) == 7 and a == b


def test_it_exports_brat_as_a_zip_of_txt_and_ann(corpus):
    source, lead = corpus
    data = export_via_api(lead, "brat", source)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = sorted(z.namelist())
        assert "annotation.conf" in names and len([n for n in names if n.endswith(".ann")]) == 2
        txt = [n for n in names if n.endswith(".txt")]
        assert sorted(z.read(n).decode() for n in txt) == sorted(TEXTS)


def test_it_exports_events_with_cameo_and_plover_codes(corpus):
    source, lead = corpus
    records = [json.loads(line) for line in export_via_api(lead, "events", source).splitlines()]
    assert len(records) == 7
    demand = next(
        r for r in records if r["stance"] == "demand" and "guarantees" in json.dumps(r, ensure_ascii=False)
    )
    assert demand["event"] == ["REQUEST"] and demand["cameo"].startswith("10")
    caveat = next(r for r in records if r["stance"] == "caveat" and r["conditions"])
    assert caveat["event"] == [] and "hypothetical" in json.dumps(caveat["mode"])
    support = next(r for r in records if r["stance"] == "support")
    assert support["event"][0] in ("AGREE", "SUPPORT")


def test_it_exports_peer_formats_in_a_fixed_number_of_queries(corpus, django_assert_num_queries):
    source, lead = corpus
    queryset = Statement.objects.filter(article__project=source)
    with django_assert_num_queries(5):  # article ids, articles, statements, conditions, aliases
        data = b"".join(peer_exports.export_peer(queryset, fmt="doccano"))
    assert data.count(b"\n") == 2


def test_it_exports_peer_formats_from_the_command(corpus, tmp_path):
    source, _ = corpus
    out = tmp_path / "ls.json"
    call_command("export_statements", "--format", "label-studio", "--project", source.slug, "-o", str(out))
    tasks = json.loads(out.read_text(encoding="utf-8"))
    assert len(tasks) == 2 and sum(len(t["annotations"]) for t in tasks) >= 2


def test_it_limits_peer_exports_to_what_the_user_may_see(corpus):
    source, lead = corpus
    outsider = UserFactory(username="outsider", role=Role.ANALYST)
    assert export_via_api(outsider, "doccano", source) == b""
    viewer = UserFactory(username="viewer_a", role=Role.VIEWER, role__project=source)
    assert export_via_api(viewer, "doccano", source).count(b"\n") == 2
    client = APIClient()
    client.force_authenticate(viewer)
    bad = client.get(reverse("api-export-statements"), {"format": "conll"})
    assert bad.status_code == 400 and "label-studio" in bad.json()["format"][0]
    assert exporting.FORMATS  # the own formats are still offered
