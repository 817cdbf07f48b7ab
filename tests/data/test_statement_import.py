"""Bulk statement import (services/bulk.py through data/statement_import.py and the command):
every format with the peers' examples and files of our own (emoji and Cyrillic before spans,
CRLF, overlaps, unknown speakers, broken offsets), all or nothing, history as the services
write it, statuses, annotators, predictions, permissions and blind visibility."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from statements import services
from statements.data.statement_import import import_statements_file
from statements.models import Actor, ActorAlias, Article, Role, Statement, StatementEvent, User
from statements.selectors import catalog
from statements.services.bulk import BulkImportFailed, ImportOptions
from tests.factories import ProjectFactory, UserFactory

# The peers' examples are copied into the repository (tests/data/formats) so a clean clone anywhere
# runs them; the workload generator is the workplace's (beside the checkout, or at /work/shared).
EXAMPLES = Path(__file__).resolve().parent / "formats"
WORKLOAD = next(
    (
        p
        for p in (
            Path(__file__).resolve().parents[2].parent / "shared" / "bench" / "workload.py",
            Path("/work/shared/bench/workload.py"),
        )
        if p.exists()
    ),
    Path("/work/shared/bench/workload.py"),
)
NEWS = (EXAMPLES / "news.txt").read_text(encoding="utf-8")

pytestmark = pytest.mark.django_db


@pytest.fixture
def project():
    return ProjectFactory(name="Target")


@pytest.fixture
def importer(project):
    return UserFactory(username="imp", role=Role.ANALYST, role__project=project)


@pytest.fixture
def boss(project):
    return UserFactory(username="boss", role=Role.LEAD, role__project=project)


def run(data: bytes | str, user, project, fmt=None, name=None, **options):
    raw = data.encode() if isinstance(data, str) else data
    stance_map = options.pop("stance_map", None)
    return import_statements_file(
        io.BytesIO(raw),
        user=user,
        project=project,
        fmt=fmt,
        name=name,
        stance_map=stance_map,
        options=ImportOptions(**options),
    )


def spans(project):
    return sorted(
        (s.start, s.end, s.quote, s.stance, s.speaker.name if s.speaker else None)
        for s in Statement.objects.filter(article__project=project).select_related("speaker")
    )


def brat_zip(pairs: dict[str, tuple[str, str]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for stem, (txt, ann) in pairs.items():
            z.writestr(f"{stem}.txt", txt)
            z.writestr(f"{stem}.ann", ann)
    return out.getvalue()


def workload_file(tmp_path: Path, n: int) -> Path:
    if not WORKLOAD.exists():
        pytest.skip("the shared bench workload script is not on this machine")
    out = tmp_path / f"workload_{n}.jsonl"
    subprocess.run(
        [sys.executable, str(WORKLOAD), "--n", str(n), "--out", str(out)], check=True, capture_output=True
    )
    return out


EXPECTED_NEWS = [
    (33, 54, "We will back the plan", "support"),
    (58, 90, "provided that funding is secured", "caveat"),
    (107, 122, "demanded a vote", "demand"),
]


# ---------------------------------------------------------------------------------------------
# The peers' examples


@pytest.mark.parametrize(
    ("file", "fmt"),
    [
        ("label_studio_export.json", "label-studio"),
        ("doccano_relation_extraction.jsonl", "doccano"),
        ("doccano_sequence_labeling.jsonl", "doccano"),
    ],
)
def test_it_imports_each_example_with_its_format_guessed(file, fmt, importer, project):
    data = (EXAMPLES / file).read_bytes()
    result = run(data, importer, project, name=file, unknown_speakers="create")
    assert result.statements == 3
    assert [s[:4] for s in spans(project)] == EXPECTED_NEWS
    article = Article.objects.get(project=project)
    assert article.text == NEWS.rstrip("\n") or article.text == NEWS
    for statement in Statement.objects.filter(article=article):
        assert article.text[statement.start : statement.end] == statement.quote


def test_it_imports_the_brat_example_as_a_zip_with_speakers_and_notes(importer, project):
    data = brat_zip({"news": (NEWS, (EXAMPLES / "news.ann").read_text(encoding="utf-8"))})
    result = run(data, importer, project, unknown_speakers="create")
    assert result.statements == 3
    got = spans(project)
    assert [s[:4] for s in got] == EXPECTED_NEWS
    assert [s[4] for s in got] == ["Ana Díaz", "Ana Díaz", "Union leaders"]
    caveat = Statement.objects.get(article__project=project, stance="caveat")
    assert "condition attached to the support" in caveat.note
    assert sorted(result.speakers_created) == ["Ana Díaz", "Union leaders"]


def test_it_lists_unknown_speakers_and_stores_nothing_unless_asked(importer, project):
    data = (EXAMPLES / "label_studio_export.json").read_bytes()
    with pytest.raises(BulkImportFailed) as failed:
        run(data, importer, project)
    assert failed.value.unknown_speakers == ["Ana Díaz", "Union leaders"] or "Ana Díaz" in (
        failed.value.unknown_speakers
    )
    assert any(p.field == "speaker" and "Ana Díaz" in p.message for p in failed.value.problems)
    assert Statement.objects.count() == 0
    assert not Article.objects.filter(project=project).exists()
    assert not Actor.objects.filter(name="Ana Díaz").exists()
    # skipped: stored without the speaker, the names listed
    result = run(data, importer, project, unknown_speakers="skip")
    assert result.statements == 3 and "Ana Díaz" in result.speakers_unknown
    assert all(s[4] is None for s in spans(project))


def test_it_resolves_speakers_by_name_or_alias_in_any_case_and_script(importer, project):
    ana = Actor.objects.create(name="ANA DÍAZ")
    unions = Actor.objects.create(name="Trade unions")
    ActorAlias.objects.create(actor=unions, name="union LEADERS")
    data = brat_zip({"news": (NEWS, (EXAMPLES / "news.ann").read_text(encoding="utf-8"))})
    run(data, importer, project)
    assert [s[4] for s in spans(project)] == [ana.name, ana.name, unions.name]
    assert Actor.objects.count() == 2


def test_it_matches_cyrillic_and_german_names_by_casefold(importer, project):
    putin = Actor.objects.create(name="Владимир Путин")
    strauss = Actor.objects.create(name="Strauß")
    text = "Путин сказал: «Мы поддерживаем план». Strauss said: «We demand a vote»."
    ann = (
        f"T1\tActor 0 5\tПутин\nT2\tSupport 15 35\t{text[15:35]}\nR1\tSpeaker Arg1:T2 Arg2:T1\n"
        f"T3\tActor 38 45\tStrauss\nT4\tDemand 54 68\t{text[54:68]}\nR2\tSpeaker Arg1:T4 Arg2:T3\n"
    )
    ActorAlias.objects.create(actor=putin, name="ПУТИН")
    ActorAlias.objects.create(actor=strauss, name="STRAUSS")
    run(brat_zip({"ru": (text, ann)}), importer, project)
    assert {s[4] for s in spans(project)} == {"Владимир Путин", "Strauß"}


# ---------------------------------------------------------------------------------------------
# Files of our own: astral characters, Cyrillic, CRLF, overlaps, broken offsets


def _utf16(text: str, i: int) -> int:
    return len(text[:i].encode("utf-16-le")) // 2


def test_it_converts_utf16_offsets_after_emoji_and_cyrillic(importer, project):
    text = "Лавров 😀🇺🇦 заявил: «Мы требуем прекращения огня». Then 𝔊 said “we support it”."
    demand = "Мы требуем прекращения огня"
    support = "we support it"
    results = []
    for quote, label in ((demand, "Demand"), (support, "Support")):
        i = text.index(quote)
        results.append(
            {
                "id": label,
                "from_name": "label",
                "to_name": "text",
                "type": "labels",
                "value": {
                    "start": _utf16(text, i),
                    "end": _utf16(text, i + len(quote)),
                    "text": quote,
                    "labels": [label],
                },
            }
        )
    task = [{"id": 5, "data": {"text": text}, "annotations": [{"completed_by": 3, "result": results}]}]
    result = run(json.dumps(task, ensure_ascii=False), importer, project, fmt="label-studio")
    assert result.statements == 2 and result.re_anchored == {"utf-16": 2}
    stored = {s.quote: (s.start, s.end) for s in Statement.objects.filter(article__project=project)}
    assert stored[demand] == (text.index(demand), text.index(demand) + len(demand))
    assert stored[support] == (text.index(support), text.index(support) + len(support))


def test_it_stores_crlf_text_normalized_with_offsets_moved(importer, project):
    text = "First line.\r\nPutin said: “We agree”.\r\n\r\nTrump said: “we demand more”."
    a, b = "We agree", "we demand more"
    ia, ib = text.index(a), text.index(b)
    record = {"text": text, "label": [[ia, ia + len(a), "support"], [ib, ib + len(b), "demand"]]}
    run(json.dumps(record) + "\n", importer, project, fmt="doccano")
    article = Article.objects.get(project=project)
    assert "\r" not in article.text
    for statement in Statement.objects.filter(article=article):
        assert article.text[statement.start : statement.end] == statement.quote
    assert sorted(s[2] for s in spans(project)) == sorted([a, b])


def test_it_keeps_overlapping_and_nested_spans(importer, project):
    text = "The minister said: we will support the plan if the talks resume."
    outer = "we will support the plan if the talks resume"
    inner = "if the talks resume"
    i, j = text.index(outer), text.index(inner)
    record = {"text": text, "label": [[i, i + len(outer), "support"], [j, j + len(inner), "caveat"]]}
    run(json.dumps(record), importer, project, fmt="doccano")
    assert [s[2] for s in spans(project)] == [outer, inner]


def test_it_re_finds_a_misplaced_quote_near_its_offsets(importer, project):
    text = "Intro. " * 5 + "Putin said: “we agree with the proposals” on Thursday."
    quote = "we agree with the proposals"
    i = text.index(quote)
    line = {
        "title": "T",
        "text": text,
        "annotations": [
            {
                "annotator": "ann",
                "start": i + 3,
                "end": i + 3 + len(quote),
                "label": "support",
                "quote": quote,
            }
        ],
    }
    result = run(json.dumps(line), importer, project, fmt="workload")
    assert result.re_anchored == {"nearby": 1}
    assert spans(project)[0][:3] == (i, i + len(quote), quote)


def test_it_reports_every_broken_span_by_line_and_field_and_stores_nothing(importer, project):
    good = {
        "title": "Good",
        "text": "A said: we agree.",
        "annotations": [{"annotator": "a", "start": 8, "end": 16, "label": "support", "quote": "we agree"}],
    }
    bad = {
        "title": "Bad",
        "text": "B said: no way.",
        "annotations": [
            {"annotator": "a", "start": 8, "end": 99, "label": "support", "quote": "nothing like this"},
            {"annotator": "a", "start": 5, "end": 2, "label": "demand", "quote": "x"},
            {"annotator": "a", "start": 0, "end": 1, "label": "opinion", "quote": "B"},
        ],
    }
    data = "\n".join(json.dumps(x) for x in (good, bad)) + "\n"
    with pytest.raises(BulkImportFailed) as failed:
        run(data, importer, project, fmt="workload")
    problems = failed.value.problems
    assert len(problems) == 3
    assert all(p.location.startswith("line 2") for p in problems)
    assert {p.field for p in problems} >= {"start", "label"}
    assert Statement.objects.count() == 0 and Article.objects.filter(project=project).count() == 0
    assert User.objects.filter(username="a").count() == 0  # no accounts made for a failed import


def test_it_reports_a_file_that_is_not_json(importer, project):
    with pytest.raises(BulkImportFailed) as failed:
        run(b'{"text": "x", "label": [[0, 1, "support"]]}\n{not json\n', importer, project, fmt="doccano")
    assert any(p.location.startswith("line 2") for p in failed.value.problems)
    assert Statement.objects.count() == 0


# ---------------------------------------------------------------------------------------------
# What the statements keep


def test_it_writes_the_history_the_services_write(importer, project):
    ana = Actor.objects.create(name="Ana Díaz")
    text = "Ana Díaz said: we will back the plan if funding is secured."
    quote = "we will back the plan if funding is secured"
    i = text.index(quote)
    row = {
        "id": 77,
        "article": {"id": 1, "title": "T"},
        "start": i,
        "end": i + len(quote),
        "quote": quote,
        "speaker": {"name": "ana díaz"},
        "stance": "caveat",
        "note": "a note",
        "conditions": [
            {
                "description": "funding",
                "evidence": {"start": text.index("funding"), "end": text.index("funding") + 7},
            }
        ],
        "annotator": {"username": "imp"},
        "status": "pending",
    }
    article = services.article_create(user=importer, project=project, title="T", text=text)
    row["article"]["id"] = article.pk
    result = run(json.dumps(row) + "\n", importer, project, fmt="jsonl")
    assert result.statements == 1 and result.conditions == 1 and result.articles_existing == 1
    statement = Statement.objects.get()
    assert statement.speaker == ana and statement.note == "a note" and statement.annotator == importer
    event = StatementEvent.objects.get(statement=statement)
    assert event.action == "created" and event.user == importer and event.before is None
    assert event.after == services.statement_snapshot(statement)
    condition = statement.conditions.get()
    assert (condition.evidence_quote, condition.description) == ("funding", "funding")


def _status_line(project, status: str) -> str:
    article = Article.objects.filter(project=project).first() or services.article_create(
        user=None, project=project, title="S", text="He said: we agree."
    )
    line = {
        "id": 1,
        "article": {"id": article.pk},
        "start": 9,
        "end": 17,
        "quote": "we agree",
        "stance": "support",
        "status": status,
        "annotator": {"username": "someone"},
    }
    return json.dumps(line) + "\n"


def test_it_keeps_accepted_only_when_a_lead_imports(importer, boss, project):
    result = run(_status_line(project, "accepted"), importer, project, fmt="jsonl")
    assert result.accepted_as_pending == 1
    assert Statement.objects.get().status == "pending"
    result = run(_status_line(project, "accepted"), boss, project, fmt="jsonl")
    assert result.accepted_as_pending == 0
    assert Statement.objects.filter(status="accepted").count() == 1
    run(_status_line(project, "rejected"), importer, project, fmt="jsonl")
    assert Statement.objects.filter(status="rejected").count() == 1
    with pytest.raises(BulkImportFailed, match="status"):
        run(_status_line(project, "approved"), importer, project, fmt="jsonl")


def test_it_maps_annotators_to_users_or_inactive_accounts_or_the_importer(importer, project):
    known = UserFactory(username="amira", role=None)
    text = "X said: we agree. Y said: we demand."
    line = {
        "title": "A",
        "text": text,
        "annotations": [
            {"annotator": "AMIRA", "start": 8, "end": 16, "label": "support", "quote": "we agree"},
            {"annotator": "new person", "start": 26, "end": 35, "label": "demand", "quote": "we demand"},
        ],
    }
    result = run(json.dumps(line), importer, project, fmt="workload")
    by_quote = {s.quote: s.annotator for s in Statement.objects.select_related("annotator")}
    assert by_quote["we agree"] == known
    created = by_quote["we demand"]
    assert created.username == "new_person" and not created.is_active and not created.has_usable_password()
    assert result.annotators_created == ["new_person"]
    Statement.objects.all().delete()
    StatementEvent.objects.all().delete()
    line["text"] = text + " Again."
    run(json.dumps(line), importer, project, fmt="workload", unknown_annotators="me")
    assert {s.quote: s.annotator for s in Statement.objects.select_related("annotator")}[
        "we demand"
    ] == importer


def _with_prediction():
    task = json.loads((EXAMPLES / "label_studio_export.json").read_text(encoding="utf-8"))
    task = task[0] if isinstance(task, list) else task
    task["predictions"] = [
        {
            "model_version": "m1",
            "score": 0.5,
            "result": [
                {
                    "id": "p1",
                    "from_name": "label",
                    "to_name": "text",
                    "type": "labels",
                    "value": {"start": 93, "end": 122, "text": NEWS[93:122], "labels": ["Demand"]},
                }
            ],
        }
    ]
    return json.dumps([task], ensure_ascii=False)


def test_it_skips_predictions_or_stores_them_as_statements(importer, project):
    data = _with_prediction()
    result = run(data, importer, project, unknown_speakers="create")
    assert result.predictions_skipped == 1 and result.statements == 3
    other = ProjectFactory(name="Other")
    UserFactory(username="imp2", role=Role.ANALYST, role__project=other)
    importer2 = User.objects.get(username="imp2")
    result = run(data, importer2, other, unknown_speakers="create", predictions="statements")
    assert result.statements == 4
    predicted = Statement.objects.get(article__project=other, quote=NEWS[93:122])
    assert predicted.annotator == importer2


def test_it_maps_labels_through_a_stance_map(importer, project):
    text = "She said: we endorse it. He said: we call for a vote."
    a, b = "we endorse it", "we call for a vote"
    record = {
        "text": text,
        "label": [
            [text.index(a), text.index(a) + len(a), "Pro"],
            [text.index(b), text.index(b) + len(b), "Ask"],
        ],
    }
    # a label the map does not name is an entity in doccano (a possible speaker), not a statement
    first = run(json.dumps(record), importer, project, fmt="doccano", stance_map={"Pro": "support"})
    assert first.statements == 1
    other = ProjectFactory(name="Other")
    UserFactory(username="imp", role=Role.ANALYST, role__project=other)
    importer = User.objects.get(pk=importer.pk)  # roles are read once per user object
    run(json.dumps(record), importer, other, fmt="doccano", stance_map={"Pro": "support", "Ask": "demand"})
    assert sorted(s[3] for s in spans(other)) == ["demand", "support"]


# ---------------------------------------------------------------------------------------------
# Who may import, who sees what


def test_it_refuses_viewers_whatever_the_file(project):
    viewer = UserFactory(username="v", role=Role.VIEWER, role__project=project)
    outsider = UserFactory(username="o", role=Role.ANALYST)  # an analyst elsewhere
    for user in (viewer, outsider):
        with pytest.raises(PermissionDenied):
            run(b"garbage", user, project, fmt="doccano")
    assert Statement.objects.count() == 0


def test_it_keeps_imported_statements_under_the_blind_rules(importer, project, boss):
    blind = UserFactory(username="blind", role=Role.ANALYST, role__project=project)
    text = "X said: we agree."
    line = {
        "title": "A",
        "text": text,
        "annotations": [{"annotator": "imp", "start": 8, "end": 16, "label": "support", "quote": "we agree"}],
    }
    run(json.dumps(line), importer, project, fmt="workload")
    article = Article.objects.get(project=project)
    services.assignment_create(article=article, analyst=blind, user=boss)
    assert catalog.visible_statements(importer).count() == 1
    assert catalog.visible_statements(blind).count() == 0
    assert catalog.visible_statements(UserFactory(username="x", role=Role.ANALYST)).count() == 0


# ---------------------------------------------------------------------------------------------
# The standard workload, a large file, and the command


def test_it_imports_the_standard_workload_exactly(tmp_path, importer, project):
    path = workload_file(tmp_path, 4)
    result = run(path.read_bytes(), importer, project)
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    expected = sorted(
        (a["start"], a["end"], a["quote"], a["label"]) for r in records for a in r["annotations"]
    )
    assert result.statements == len(expected) == 200
    assert sorted(s[:4] for s in spans(project)) == expected
    assert StatementEvent.objects.count() == 200
    assert sorted(result.annotators_created) == sorted(
        {a["annotator"] for r in records for a in r["annotations"]}
    )
    # again: the articles are found, not created twice
    again = run(path.read_bytes(), importer, project)
    assert again.articles_created == 0 and again.articles_existing == 4


def _peak(path: Path, user, project) -> int:
    tracemalloc.start()
    try:
        with path.open("rb") as stream:
            import_statements_file(stream, user=user, project=project, fmt="workload")
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_it_imports_a_large_file_in_flat_memory(tmp_path, importer, project):
    small, large = workload_file(tmp_path, 40), workload_file(tmp_path, 400)  # 2,000 and 20,000 spans
    other = ProjectFactory(name="Other")
    UserFactory(username="imp", role=Role.ANALYST, role__project=other)
    importer = User.objects.get(pk=importer.pk)
    peak_small = _peak(small, importer, project)
    peak_large = _peak(large, importer, other)
    assert Statement.objects.filter(article__project=other).count() == 20_000
    # ten times the file, about the same memory (one batch of rows at a time)
    assert peak_large < 2 * peak_small + 2_000_000, (peak_small, peak_large)


def test_it_imports_from_the_command_and_fails_with_a_message(tmp_path, importer, project):
    path = workload_file(tmp_path, 2)
    out = io.StringIO()
    call_command("import_statements", str(path), "--project", project.slug, "--user", "imp", stdout=out)
    assert "Imported 100 statement(s)" in out.getvalue()
    broken = tmp_path / "broken.jsonl"
    broken.write_text(
        json.dumps(
            {
                "title": "B",
                "text": "abc",
                "annotations": [
                    {"annotator": "a", "start": 0, "end": 9, "label": "support", "quote": "abcdefghi"}
                ],
            }
        )
        + "\n"
    )
    with pytest.raises(CommandError) as failed:
        call_command("import_statements", str(broken), "--project", project.slug, "--user", "imp")
    assert "Nothing was imported" in str(failed.value) and "line 1" in str(failed.value)
    with pytest.raises(CommandError, match="no project"):
        call_command("import_statements", str(path), "--project", "nope", "--user", "imp")
    viewer = UserFactory(username="vv", role=Role.VIEWER, role__project=project)
    with pytest.raises(CommandError, match="Only analysts and leads"):
        call_command("import_statements", str(path), "--project", project.slug, "--user", viewer.username)
    assert Statement.objects.count() == 100


def test_it_refuses_a_file_it_cannot_read_from_the_command(tmp_path, project, importer):
    broken = tmp_path / "broken.json"
    broken.write_text("[{]")
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command(
            "import_statements",
            str(broken),
            "--project",
            project.slug,
            "--user",
            "imp",
            "--format",
            "label-studio",
        )
    unknown = tmp_path / "unknown.txt"
    unknown.write_text("just some words")
    with pytest.raises(CommandError, match="format"):
        call_command("import_statements", str(unknown), "--project", project.slug, "--user", "imp")


def test_it_copies_the_metadata_of_the_article_a_jsonl_file_points_at_only(importer, project):
    """A file without the text takes title, URL and date from the article it names; a file with
    its own text whose task id happens to be an article's id takes nothing from that article."""
    other = ProjectFactory(name="Elsewhere")
    UserFactory(username="imp", role=Role.ANALYST, role__project=other)
    importer = User.objects.get(pk=importer.pk)
    source = services.article_create(
        user=None, project=other, title="The source", text="He said: we agree.", url="https://example.org/a"
    )
    line = {
        "id": 1,
        "article": {"id": source.pk},
        "start": 9,
        "end": 17,
        "quote": "we agree",
        "stance": "support",
    }
    run(json.dumps(line) + "\n", importer, project, fmt="jsonl")
    copied = Article.objects.get(project=project)
    assert (copied.title, copied.url, copied.text) == ("The source", "https://example.org/a", source.text)
    task = [
        {
            "id": source.pk,
            "data": {"text": "Another text: we agree."},
            "annotations": [
                {
                    "result": [
                        {
                            "id": "a",
                            "from_name": "label",
                            "to_name": "text",
                            "type": "labels",
                            "value": {"start": 14, "end": 22, "text": "we agree", "labels": ["Support"]},
                        }
                    ]
                }
            ],
        }
    ]
    run(json.dumps(task), importer, project, fmt="label-studio")
    new = Article.objects.get(project=project, text="Another text: we agree.")
    assert new.title == "Another text: we agree." and new.url == ""


def test_it_creates_one_actor_for_names_that_differ_only_in_case_in_any_script(importer, project):
    """ISPARTA, Isparta and ısparta (Turkish dotless i) are one name to the registry's unique
    constraint: created once, not refused by the database."""
    text = "ISPARTA said: we agree. Isparta said: we demand. ısparta said: we wait."
    record = {"text": text, "entities": [], "relations": []}
    quotes = [
        ("ISPARTA", "we agree", "support"),
        ("Isparta", "we demand", "demand"),
        ("ısparta", "we wait", "caveat"),
    ]
    for n, (who, quote, stance) in enumerate(quotes):
        w, q = text.index(who), text.index(quote)
        record["entities"] += [
            {"id": 2 * n, "label": "Actor", "start_offset": w, "end_offset": w + len(who)},
            {"id": 2 * n + 1, "label": stance, "start_offset": q, "end_offset": q + len(quote)},
        ]
        record["relations"].append({"id": n, "from_id": 2 * n + 1, "to_id": 2 * n, "type": "Speaker"})
    result = run(json.dumps(record), importer, project, fmt="doccano", unknown_speakers="create")
    assert result.speakers_created == ["ISPARTA"]
    assert {s[4] for s in spans(project)} == {"ISPARTA"}


def test_it_reads_stdin_from_the_command_with_the_format_guessed(tmp_path, importer, project, monkeypatch):
    data = (EXAMPLES / "doccano_relation_extraction.jsonl").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    out = io.StringIO()
    call_command(
        "import_statements",
        "-",
        "--project",
        project.slug,
        "--user",
        "imp",
        "--unknown-speakers",
        "skip",
        stdout=out,
    )
    assert "Imported 3 statement(s)" in out.getvalue() and "not in the registry" in out.getvalue()
