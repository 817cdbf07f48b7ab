"""The format codecs (statements/data/formats): pure, no database.

The peers' small examples (tests/data/formats, copied from the shared examples: one sentence with
U+1F44D before some spans) and files made here: emoji and Cyrillic before spans, CRLF texts,
overlapping spans, speakers not in the text, broken offsets, deep nesting, a 50 MB file read in
flat memory, format guessing, and a round trip through every format written.
"""

from __future__ import annotations

import io
import json
import os
import runpy
import tracemalloc
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from statements.data import formats
from statements.data.formats import (
    FormatError,
    InCondition,
    InDocument,
    OutActor,
    OutDocument,
    OutStatement,
    attach_text,
    codepoints_to_utf16,
    guess_format,
    lf_to_crlf,
    read,
    read_all,
    read_brat_folder,
    utf16_to_codepoints,
    write,
)
from statements.data.formats.jsonio import MAX_DEPTH, JsonCursor
from statements.data.formats.records import MAX_PROBLEMS, Report
from statements.data.formats.zipstream import ZipStream

DATA = Path(__file__).parent / "formats"
NEWS = (DATA / "news.txt").read_text(encoding="utf-8").rstrip("\n")
WORKLOAD_SCRIPT = Path("/work/shared/bench/workload.py")


def _bytes(value: Any) -> io.BytesIO:
    return io.BytesIO(json.dumps(value, ensure_ascii=False).encode())


def _jsonl(*values: Any) -> io.BytesIO:
    return io.BytesIO("".join(json.dumps(v, ensure_ascii=False) + "\n" for v in values).encode())


def _spans(document: InDocument) -> list[tuple[int, int, str | None, str | None, str | None]]:
    return [(s.start, s.end, s.quote, s.stance, s.speaker) for s in document.spans]


def _problems(excinfo: pytest.ExceptionInfo[FormatError]) -> list[tuple[str, str]]:
    return [(p.location, p.field) for p in excinfo.value.problems]


def _brat_zip(pairs: dict[str, tuple[str, str]]) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for stem, (text, ann) in pairs.items():
            archive.writestr(f"{stem}.txt", text.encode())
            archive.writestr(f"{stem}.ann", ann.encode())
    buffer.seek(0)
    return buffer


def _ls_task(text: str, *results: dict[str, Any], completed_by: Any = 7) -> dict[str, Any]:
    return {
        "id": 1,
        "data": {"text": text},
        "annotations": [{"id": 1, "completed_by": completed_by, "result": list(results)}],
    }


def _region(rid: str, start: int, end: int, quote: str | None, label: str) -> dict[str, Any]:
    value: dict[str, Any] = {"start": start, "end": end, "labels": [label]}
    if quote is not None:
        value["text"] = quote
    return {"id": rid, "from_name": "label", "to_name": "text", "type": "labels", "value": value}


# The statements of the example sentence, in code points.
EXAMPLE = [
    (33, 54, "We will back the plan", "support"),
    (58, 90, "provided that funding is secured", "caveat"),
    (107, 122, "demanded a vote", "demand"),
]


# ---------------------------------------------------------------------------------------------
# The peers' examples


def test_it_reads_the_label_studio_example() -> None:
    with (DATA / "label_studio_export.json").open("rb") as f:
        [document] = read_all("label-studio", f)
    assert document.text == NEWS
    assert document.key == "1"
    assert [(s.start, s.end, s.quote, s.stance) for s in document.spans] == EXAMPLE
    assert [s.speaker for s in document.spans] == ["Ana Díaz", None, None]  # the r1 → r0 relation
    assert {s.annotator for s in document.spans} == {"7"}
    assert {s.origin for s in document.spans} == {"annotation"}
    assert all(s.anchored is None for s in document.spans)  # the example stores code points
    assert [s.location for s in document.spans][0] == "task 1, annotation 1001, result r1"
    assert all(document.text[s.start : s.end] == s.quote for s in document.spans)


def test_it_reads_the_doccano_examples() -> None:
    with (DATA / "doccano_sequence_labeling.jsonl").open("rb") as f:
        [plain] = read_all("doccano", f)
    with (DATA / "doccano_relation_extraction.jsonl").open("rb") as f:
        [related] = read_all("doccano", f)
    assert plain.text == related.text == NEWS
    assert [(s.start, s.end, s.quote, s.stance) for s in plain.spans] == EXAMPLE
    assert [(s.start, s.end, s.quote, s.stance) for s in related.spans] == EXAMPLE
    assert [s.speaker for s in plain.spans] == [None, None, None]  # Actor spans are entities, no relation
    assert [s.speaker for s in related.spans] == ["Ana Díaz", None, None]
    assert related.spans[0].location == "line 1, entity 11"


def test_it_reads_the_brat_example_from_a_zip_and_from_a_folder() -> None:
    ann = (DATA / "news.ann").read_text(encoding="utf-8")
    text = (DATA / "news.txt").read_text(encoding="utf-8")
    [zipped] = read_all("brat", _brat_zip({"news": (text, ann)}), name="news.zip")
    [folder] = list(read_brat_folder(DATA))
    for document in (zipped, folder):
        assert document.location == "news.ann"
        assert document.key == "news"
        assert [(s.start, s.end, s.quote, s.stance) for s in document.spans] == EXAMPLE
        assert [s.speaker for s in document.spans] == ["Ana Díaz", "Ana Díaz", "Union leaders"]
        assert document.spans[0].note == "Reviewed"  # the A1 binary attribute
        assert document.spans[1].note == "condition attached to the support"  # the #1 AnnotatorNotes
        assert document.spans[0].location == "news.ann, T2"


def test_it_reads_label_studio_offsets_stored_as_utf16_code_units() -> None:
    task = json.loads((DATA / "label_studio_export.json").read_text(encoding="utf-8"))[0]
    to_utf16 = codepoints_to_utf16(NEWS)
    for result in task["annotations"][0]["result"]:
        if "value" in result:  # as the 2021 front end stored them: JavaScript string offsets
            result["value"]["start"] = to_utf16(result["value"]["start"])
            result["value"]["end"] = to_utf16(result["value"]["end"])
    assert task["annotations"][0]["result"][2]["value"]["start"] == 59  # after the emoji
    [document] = read_all("label-studio", _bytes([task]))
    assert [(s.start, s.end, s.quote, s.stance) for s in document.spans] == EXAMPLE
    assert [s.anchored for s in document.spans] == [None, "utf-16", "utf-16"]  # the first is before 👍


def test_it_applies_the_tasks_utf16_convention_to_regions_without_text() -> None:
    text = "👍👍 Мы поддерживаем план. Мы требуем голосования."
    support, demand = "Мы поддерживаем план", "Мы требуем голосования"
    u16 = codepoints_to_utf16(text)
    s1, s2 = text.index(support), text.index(demand)
    task = _ls_task(
        text,
        _region("a", u16(s1), u16(s1 + len(support)), support, "Support"),
        _region("b", u16(s2), u16(s2 + len(demand)), None, "Demand"),  # no value.text: follows "a"
    )
    [document] = read_all("label-studio", _bytes([task]))
    assert [(s.start, s.end, s.quote) for s in document.spans] == [
        (s1, s1 + len(support), support),
        (s2, s2 + len(demand), demand),
    ]
    assert [s.anchored for s in document.spans] == ["utf-16", "utf-16"]


# ---------------------------------------------------------------------------------------------
# Offsets


def test_it_maps_utf16_offsets_to_code_points() -> None:
    text = "a👍b😀😀c"
    to_cp, to_u16 = utf16_to_codepoints(text), codepoints_to_utf16(text)
    units = text.encode("utf-16-le")
    for cp in range(len(text) + 1):
        u = to_u16(cp)
        assert u == len(text[:cp].encode("utf-16-le")) // 2
        assert to_cp(u) == cp
    assert to_cp(2) is None  # between the two halves of 👍
    assert to_cp(len(units) // 2 + 1) is None  # past the end
    assert utf16_to_codepoints("plain")(3) == 3


def test_it_maps_lf_offsets_onto_a_crlf_text() -> None:
    text = "one\r\ntwo\r\nthree"
    lf = text.replace("\r\n", "\n")
    to_crlf = lf_to_crlf(text)
    for p in range(len(lf) + 1):
        if p and lf[p - 1] == "\n" or p == 0 or lf[p - 1] != "\n":
            mapped = to_crlf(p)
            assert mapped is not None
            assert text[:mapped].replace("\r\n", "\n") == lf[:p]
    assert to_crlf(len(lf) + 1) is None


def test_it_keeps_exact_offsets_on_crlf_texts_and_converts_lf_counted_ones() -> None:
    text = "Первый абзац.\r\n\r\n“We agree,” 😀 said Tusk.\r\nThey must resign."
    support, demand = "We agree", "They must resign"
    s1, s2 = text.index(support), text.index(demand)
    lf = text.replace("\r\n", "\n")
    exact = _ls_task(text, _region("a", s1, s1 + len(support), support, "Support"))
    lf_counted = _ls_task(
        text,
        _region("a", lf.index(support), lf.index(support) + len(support), support, "Support"),
        _region("b", lf.index(demand), lf.index(demand) + len(demand), demand, "Demand"),
    )
    [kept] = read_all("label-studio", _bytes([exact]))
    [converted] = read_all("label-studio", _bytes([lf_counted]))
    assert kept.text == converted.text == text  # line endings are not normalised
    assert [(s.start, s.anchored) for s in kept.spans] == [(s1, None)]
    assert [(s.start, s.end, s.anchored) for s in converted.spans] == [
        (s1, s1 + len(support), "lf"),
        (s2, s2 + len(demand), "lf"),
    ]
    # brat over the same CRLF text, offsets counted with LF (a corpus checked out with CRLF)
    ann = f"T1\tDemand {lf.index(demand)} {lf.index(demand) + len(demand)}\t{demand}\n"
    [document] = read_all("brat", _brat_zip({"crlf": (text, ann)}))
    assert [(s.start, s.end, s.quote, s.anchored) for s in document.spans] == [
        (s2, s2 + len(demand), demand, "lf")
    ]


def test_it_finds_a_misplaced_quote_nearby_or_once_in_the_text() -> None:
    text = "Intro. " + "filler " * 60 + "We fully back the agreement. More text. We insist on a deadline."
    quote = "We fully back the agreement"
    at = text.index(quote)
    far = text.index("We insist on a deadline")
    task = _ls_task(
        text,
        _region("near", at - 7, at - 7 + len(quote), quote, "Support"),  # 7 characters off
        _region("far", 0, 10, "We insist on a deadline", "Demand"),  # far off, but the quote is unique
    )
    [document] = read_all("label-studio", _bytes([task]))
    assert [(s.start, s.anchored) for s in document.spans] == [(at, "nearby"), (far, "unique")]


def test_it_reports_broken_offsets_with_location_and_field_and_returns_nothing() -> None:
    text = "Ана сказала: “We back it.” Они требуют" + ", и" * 100 + ", they demand, they demand."
    broken = [
        _ls_task(text, _region("r1", 14, 24, "We back it", "Support")),  # fine
        _ls_task(text, _region("r2", 0, 5, "not in the text", "Support")),  # quote nowhere
        _ls_task(text, _region("r3", "14", 24, None, "Support")),  # not a number
        _ls_task(text, _region("r4", 30, 500, None, "Support")),  # outside the text
        _ls_task(text, _region("r5", 0, 3, "they demand", "Demand")),  # twice, none near 0
        _ls_task(text, _region("r6", 14, 24, "We back it", "Quote")),  # no stance, no relation: an entity
    ]
    with pytest.raises(FormatError) as excinfo:
        read_all("label-studio", _bytes(broken))
    assert _problems(excinfo) == [
        ("task 2, annotation 1, result r2", "value.start"),
        ("task 3, annotation 1, result r3", "value.start"),
        ("task 4, annotation 1, result r4", "value.start"),
        ("task 5, annotation 1, result r5", "value.start"),
    ]
    messages = [p.message for p in excinfo.value.problems]
    assert "does not occur in the text" in messages[0]
    assert "whole number" in messages[1]
    assert "outside the text" in messages[2]
    assert "several times" in messages[3]
    received: list[InDocument] = []
    with pytest.raises(FormatError):
        for document in read("label-studio", _bytes(broken)):
            received.append(document)
    assert [d.location for d in received] == ["task 1", "task 6"]  # the caller discards these


def test_it_reports_broken_doccano_and_brat_files_with_every_problem() -> None:
    bad_doccano = _jsonl(
        {"text": "short text", "label": [[0, 5, "Support"], [3, 99, "Demand"], [4, 2, "Caveat"]]},
        {"text": "x", "label": ["Positive"]},  # text classification
        {"text": "Maybe not.", "label": [[0, 5, "Opinion"]]},  # an entity: no problem
    )
    with pytest.raises(FormatError) as excinfo:
        read_all("doccano", bad_doccano)
    assert _problems(excinfo) == [
        ("line 1, label 2", "start_offset"),
        ("line 1, label 3", "start_offset"),
        ("line 2, label 1", "label"),
    ]
    ann = "T1\tSupport 0 4\tNope\nT2\tSupport x y\tbad\nR1\tSpeaker Arg1:T1 Arg2:T9\nQ1\twhat\n"
    with pytest.raises(FormatError) as excinfo:
        read_all("brat", _brat_zip({"doc": ("Some text here.", ann)}))
    assert _problems(excinfo) == [
        ("doc.ann, line 2", "offsets"),
        ("doc.ann, line 4", "line"),
    ]
    with pytest.raises(FormatError) as excinfo:  # once the lines parse, the spans are checked
        read_all(
            "brat",
            _brat_zip({"doc": ("Some text here.", "T1\tSupport 0 4\tNope\nR1\tSpeaker Arg1:T1 Arg2:T9\n")}),
        )
    assert _problems(excinfo) == [("doc.ann, T1", "offsets"), ("doc.ann, line 2", "relation")]


def test_it_reads_doccano_files_of_our_own_with_cyrillic_and_emoji_before_the_spans() -> None:
    text = "Київ 🌻🌻: представник заявив — “We demand the release of prisoners,” said an aide."
    quote, who = "We demand the release of prisoners", "an aide"
    q, w = text.index(quote), text.index(who)
    related = {
        "id": 5,
        "text": text,
        "meta": {"title": "Заголовок", "date": "2024-02-03"},
        "entities": [
            {"id": 1, "label": "DEMAND", "start_offset": q, "end_offset": q + len(quote)},
            {"id": 2, "label": "Person", "start_offset": w, "end_offset": w + len(who)},
        ],
        "relations": [{"id": 1, "from_id": 1, "to_id": 2, "type": "SaidBy"}],
    }
    old_style = {
        "text": text,
        "annotations": [{"label": "demand", "start_offset": q, "end_offset": q + len(quote), "user": 4}],
    }
    first, second = read_all("doccano", _jsonl(related, old_style))
    assert (first.key, first.title, first.date) == ("5", "Заголовок", "2024-02-03")
    assert _spans(first) == [
        (q, q + len(quote), quote, "demand", "an aide")
    ]  # not in any list: kept as a name
    assert [(s.quote, s.annotator) for s in second.spans] == [(quote, "4")]
    assert q > 30 and text[:q].count("🌻") == 2  # code points: the example would be off by 2 in UTF-16


def test_it_refuses_labels_that_are_no_stance_where_there_are_no_relations() -> None:
    line = {
        "title": "t",
        "text": "We agree. We demand.",
        "annotations": [
            {"annotator": "a", "start": 0, "end": 8, "label": "SUPPORT", "quote": "We agree"},
            {"annotator": "a", "start": 10, "end": 19, "label": "opinion", "quote": "We demand"},
        ],
    }
    with pytest.raises(FormatError) as excinfo:
        read_all("workload", _jsonl(line))
    assert _problems(excinfo) == [("line 1, annotation 2", "label")]
    [document] = read_all("workload", _jsonl(line), stance_map={"Opinion": "demand"})
    assert [(s.stance, s.label) for s in document.spans] == [("support", "SUPPORT"), ("demand", "opinion")]
    with pytest.raises(ValueError):
        read_all("workload", _jsonl(line), stance_map={"x": "maybe"})


def test_it_maps_stance_synonyms_case_insensitively() -> None:
    text = "A. B. C. D."
    task = _ls_task(
        text,
        _region("1", 0, 2, "A.", "SUPPORT"),
        _region("2", 3, 5, "B.", "Call_For"),
        _region("3", 6, 8, "C.", "Reservation"),
        _region("4", 9, 11, "D.", "positive"),  # sentiment is not a stance: an entity
    )
    [document] = read_all("label-studio", _bytes([task]))
    assert [s.stance for s in document.spans] == ["support", "demand", "caveat"]


# ---------------------------------------------------------------------------------------------
# Speakers, overlaps, discontinuous spans


def test_it_keeps_overlapping_spans_and_unknown_speakers_as_names() -> None:
    text = "🙂 Сначала: a senior official said “We welcome it, but only if the funding is secured.”"
    outer = "We welcome it, but only if the funding is secured"
    inner = "but only if the funding is secured"
    o, i, who = text.index(outer), text.index(inner), text.index("a senior official")
    ann = (
        f"T1\tSupport {o} {o + len(outer)}\t{outer}\n"
        f"T2\tCaveat {i} {i + len(inner)}\t{inner}\n"
        f"T3\tPerson {who} {who + 16}\ta senior official\n"
        "R1\tSaid_By Arg1:T1 Arg2:T3\n"
        "R2\tattribution Arg1:T3 Arg2:T2\n"  # the other way round: still statement ← entity
    )
    [document] = read_all("brat", _brat_zip({"x": (text, ann)}))
    assert _spans(document) == [
        (o, o + len(outer), outer, "support", "a senior official"),
        (i, i + len(inner), inner, "caveat", "a senior official"),
    ]


def test_it_takes_the_covering_span_of_a_discontinuous_brat_annotation() -> None:
    text = "Мы поддержим план,\nесли будет финансирование."
    first, second = "Мы поддержим план", "если будет финансирование"
    a, b = text.index(first), text.index(second)
    ann = f"T1\tSupport {a} {a + len(first)};{b} {b + len(second)}\t{first} {second}\n"
    [document] = read_all("brat", _brat_zip({"d": (text, ann)}))
    [span] = document.spans
    assert (span.start, span.end, span.anchored) == (a, b + len(second), "covering")
    assert span.quote == text[a : b + len(second)]
    wrong = f"T1\tSupport {a} {a + len(first)};{b} {b + len(second)}\tsomething else\n"
    with pytest.raises(FormatError) as excinfo:
        read_all("brat", _brat_zip({"d": (text, wrong)}))
    assert _problems(excinfo) == [("d.ann, T1", "text")]


def test_it_reads_label_studio_per_region_results_predictions_and_annotator_objects() -> None:
    text = "Scholz said: “We demand a ceasefire.”"
    quote = "We demand a ceasefire"
    s = text.index(quote)
    region = _region("x", s, s + len(quote), quote, "Statement")  # the stance comes from a choice
    task = {
        "data": {"title": "T", "content": text, "url": "https://example.org/a"},
        "annotations": [
            {
                "completed_by": {"id": 3, "email": "ann@example.org", "username": "ann"},
                "result": [
                    {**region, "to_name": "content"},
                    {
                        "id": "x",
                        "from_name": "stance",
                        "to_name": "content",
                        "type": "choices",
                        "value": {"start": s, "end": s + len(quote), "choices": ["Demand"]},
                    },
                    {
                        "id": "x",
                        "from_name": "speaker",
                        "to_name": "content",
                        "type": "textarea",
                        "value": {"start": s, "end": s + len(quote), "text": ["Olaf Scholz"]},
                    },
                    {
                        "id": "x",
                        "from_name": "comment",
                        "to_name": "content",
                        "type": "textarea",
                        "value": {"start": s, "end": s + len(quote), "text": ["check the date"]},
                    },
                ],
            },
            {"was_cancelled": True, "result": [_region("y", 0, 1, "S", "Support")]},
        ],
        "predictions": [
            {
                "model_version": "m1",
                "score": 0.25,
                "result": [_region("p", s, s + len(quote), quote, "demand")],
            }
        ],
    }
    [document] = read_all("label-studio", _bytes([task]))
    assert document.title == "T" and document.url == "https://example.org/a"
    annotation, prediction = document.spans
    assert (annotation.stance, annotation.speaker, annotation.annotator, annotation.note) == (
        "demand",
        "Olaf Scholz",
        "ann",
        "check the date",
    )
    assert (prediction.origin, prediction.annotator, prediction.score) == ("prediction", "m1", 0.25)


# ---------------------------------------------------------------------------------------------
# Our own exports: JSONL, W3C (no text in the file), the workload


def _our_row(
    sid: int, article: int, text: str, quote: str, stance: str, speaker: str | None
) -> dict[str, Any]:
    s = text.index(quote)
    return {
        "id": sid,
        "article": {
            "id": article,
            "title": f"A{article}",
            "source": "Wire",
            "url": f"https://x/{article}",
            "published": "2024-05-01",
        },
        "start": s,
        "end": s + len(quote),
        "quote": quote,
        "context_before": text[max(0, s - 80) : s],
        "context_after": text[s + len(quote) : s + len(quote) + 80],
        "speaker": None
        if speaker is None
        else {"id": 1, "name": speaker, "kind": "person", "affiliation": None},
        "addressee": None,
        "stance": stance,
        "note": "",
        "conditions": [{"description": "if funded", "evidence": None}],
        "annotator": {"id": 2, "username": "ann"},
        "status": "pending",
        "gold": False,
        "reviews": {"total": 0, "accept": 0, "reject": 0, "request_changes": 0},
        "created_at": "2024-05-02T10:00:00Z",
        "updated_at": "2024-05-02T10:00:00Z",
    }


def test_it_reads_our_jsonl_export_by_runs_of_articles_and_attaches_the_text() -> None:
    text1 = "😀 Tusk said: “We agree with the proposals.” Later: “We agree with the proposals.”"
    text2 = "Они сказали: “The sanctions must be lifted.”"
    rows = [
        _our_row(1, 10, text1, "We agree with the proposals", "support", "Tusk"),
        _our_row(2, 20, text2, "The sanctions must be lifted", "demand", None),
        _our_row(3, 10, text1, "Later", "caveat", None),
    ]
    documents = read_all("jsonl", _jsonl(*rows))
    assert [(d.key, d.has_text, d.title, d.date) for d in documents] == [
        ("10", False, "A10", "2024-05-01"),
        ("20", False, "A20", "2024-05-01"),
        ("10", False, "A10", "2024-05-01"),
    ]
    assert [(s.start, s.quote, s.speaker, s.annotator, s.status) for s in documents[0].spans] == [
        (text1.index("We agree"), "We agree with the proposals", "Tusk", "ann", "pending")
    ]
    assert documents[0].spans[0].conditions == [InCondition("if funded")]
    # the article's text known: spans are anchored; a second occurrence is told apart by its context
    second = text1.rindex("We agree with the proposals")
    moved = dict(
        rows[0],
        start=0,
        end=27,
        context_before=text1[second - 8 : second],
        context_after=text1[second + 27 :],
    )
    [document] = read_all("jsonl", _jsonl(moved), text_for=lambda d: text1 if d.key == "10" else None)
    assert document.has_text and document.text == text1
    assert [(s.start, s.anchored) for s in document.spans] == [(second, "nearby")]  # the context decides
    far_text = "x" * 500 + text1
    far = dict(moved, context_before=far_text[far_text.rindex("We agree") - 8 : far_text.rindex("We agree")])
    assert far["start"] == 0  # 500 characters and more away from both occurrences
    [document] = read_all("jsonl", _jsonl(far), text_for=lambda d: far_text)
    assert [(s.start, s.anchored) for s in document.spans] == [(far_text.rindex("We agree"), "context")]
    attached = attach_text(documents[1], text2)
    assert attached.spans[0].quote == "The sanctions must be lifted"
    with pytest.raises(FormatError):
        attach_text(documents[1], "another text entirely")
    bad = dict(rows[0], end=rows[0]["end"] + 3)
    with pytest.raises(FormatError) as excinfo:
        read_all("jsonl", _jsonl(rows[1], bad))
    assert _problems(excinfo) == [("line 2", "quote")]


def test_it_reads_w3c_annotations_our_collection_and_quote_only_targets() -> None:
    text = "Kyiv 🌻: “We stand by our commitments,” Zelensky said."
    quote = "We stand by our commitments"
    s = text.index(quote)
    ours = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": "http://h/api/statements/5/",
        "type": "Annotation",
        "motivation": "classifying",
        "creator": {"id": "http://h/api/users/2/", "type": "Person", "nickname": "ann"},
        "body": [
            {"type": "TextualBody", "purpose": "classifying", "value": "support"},
            {"type": "TextualBody", "purpose": "identifying", "value": "Volodymyr Zelensky"},
            {"type": "TextualBody", "purpose": "tagging", "value": "the parliament"},
            {"type": "TextualBody", "purpose": "describing", "value": "funding secured"},
        ],
        "target": {
            "source": "http://h/api/articles/3/",
            "selector": [
                {
                    "type": "TextQuoteSelector",
                    "exact": quote,
                    "prefix": text[:s],
                    "suffix": text[s + len(quote) :],
                },
                {"type": "TextPositionSelector", "start": s, "end": s + len(quote)},
            ],
        },
    }
    header = (
        '{"@context":"http://www.w3.org/ns/anno.jsonld","id":"http://h/api/export/statements",'
        '"type":"AnnotationCollection","label":"Annotator statements","total":2,'
        '"first":{"id":"http://h/api/export/statements#page-1","type":"AnnotationPage","startIndex":0,"items":[\n'
    )
    generic = {
        "type": "Annotation",
        "body": {"type": "TextualBody", "purpose": "tagging", "value": "Demand"},
        "creator": "http://someone",
        "target": {
            "source": "http://h/api/articles/3/",
            "selector": {"type": "TextQuoteSelector", "exact": "Zelensky said"},
        },
    }
    collection = header + json.dumps(ours, ensure_ascii=False) + ",\n" + json.dumps(generic) + "\n]}}\n"
    assert guess_format(collection.encode()[:200], "export.jsonld") == "w3c"
    [document] = read_all("w3c", io.BytesIO(collection.encode()))
    assert (document.key, document.has_text) == ("http://h/api/articles/3/", False)
    first, second = document.spans
    assert (first.start, first.end, first.stance, first.speaker, first.addressee, first.annotator) == (
        s,
        s + len(quote),
        "support",
        "Volodymyr Zelensky",
        "the parliament",
        "ann",
    )
    assert first.conditions == [InCondition("funding secured")]
    assert (second.start, second.stance, second.annotator) == (-1, "demand", "http://someone")
    [placed] = read_all("w3c", io.BytesIO(collection.encode()), text_for=lambda d: text)
    assert [(sp.start, sp.quote) for sp in placed.spans] == [
        (s, quote),
        (text.index("Zelensky said"), "Zelensky said"),
    ]
    # a single annotation, and a list
    assert len(read_all("w3c", _bytes(ours))[0].spans) == 1
    assert len(read_all("w3c", _bytes([ours, ours]))[0].spans) == 2
    with pytest.raises(FormatError) as excinfo:
        read_all("w3c", _bytes({"type": "AnnotationCollection", "first": "http://h/page1"}))
    assert _problems(excinfo) == [("file", "first")]


def test_it_reads_the_standard_workload() -> None:
    text = "“We agree with the proposals,” Putin said. Then: “We insist on a binding deadline.”"
    a, b = "We agree with the proposals", "We insist on a binding deadline"
    line = {
        "title": "T",
        "text": text,
        "annotations": [
            {
                "annotator": "ann_a",
                "start": text.index(a),
                "end": text.index(a) + len(a),
                "label": "support",
                "quote": a,
            },
            {
                "annotator": "ann_b",
                "start": text.index(b),
                "end": text.index(b) + len(b),
                "label": "demand",
                "quote": b,
            },
        ],
    }
    assert guess_format(json.dumps(line).encode(), "workload_n2.jsonl") == "workload"
    [document] = read_all("workload", _jsonl(line))
    assert [(s.quote, s.stance, s.annotator) for s in document.spans] == [
        (a, "support", "ann_a"),
        (b, "demand", "ann_b"),
    ]


@pytest.mark.skipif(not WORKLOAD_SCRIPT.exists(), reason="the shared bench workload script is not here")
def test_it_reads_the_generated_workload(tmp_path: Path) -> None:
    out = tmp_path / "w.jsonl"
    generator = runpy.run_path(str(WORKLOAD_SCRIPT))
    with out.open("wb") as f:
        for article in generator["generate"](n=60, k=5, seed=42, chars=3000):  # 200 KB: several chunks
            f.write((json.dumps(article, ensure_ascii=False) + "\n").encode())
    with out.open("rb") as f:
        documents = read_all("workload", f)
    assert len(documents) == 60
    assert sum(len(d.spans) for d in documents) == 60 * 2 * 5
    assert all(s.anchored is None and d.text[s.start : s.end] == s.quote for d in documents for s in d.spans)


# ---------------------------------------------------------------------------------------------
# Streaming, nesting, guessing


def test_it_refuses_deep_nesting_with_a_problem_not_a_recursion_error() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    with pytest.raises(FormatError) as excinfo:
        read_all("label-studio", io.BytesIO(f"[{deep}]".encode()))
    assert _problems(excinfo) == [("task 1", "json")]
    assert "nested" in excinfo.value.problems[0].message
    with pytest.raises(FormatError) as excinfo:  # JSON Lines: the bad line, and the next lines are read
        read_all(
            "doccano",
            io.BytesIO(('{"text": "a", "x": ' + deep + "}\n" + '{"text": "b", "label": 3}\n').encode()),
        )
    assert _problems(excinfo)[0] == ("line 1", "json")
    moderately = {
        "text": "A.",
        "label": [[0, 2, "support"]],
        "meta": json.loads("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)),
    }
    with pytest.raises(FormatError) as excinfo:
        read_all("doccano", _jsonl(moderately))
    assert _problems(excinfo) == [("line 1", "json")]


def test_it_reads_json_arrays_across_chunk_boundaries() -> None:
    values: list[Any] = [
        12345,
        -0.5,
        'a\\"b😀',
        True,
        None,
        {"k": [1, 2, {"z": "ü"}]},
        [],
        {},
        98765432109876,
    ]
    raw = json.dumps(values, ensure_ascii=False).encode()
    for chunk in (1, 2, 3, 7, 64):
        cursor = JsonCursor(io.BytesIO(raw), chunk=chunk)
        assert list(cursor.array_items()) == values


def test_it_reads_json_lines_across_chunk_boundaries() -> None:
    lines = ['{"a": "ü😀"}', "", '{"b": [1, 2]}', "   ", '{"c": "' + "x" * 50 + '"}', '{"d": 4}']
    raw = ("\n".join(lines) + "\n").encode()
    for chunk in (1, 2, 3, 7, 64):
        cursor = JsonCursor(io.BytesIO(raw), chunk=chunk)
        got = []
        while (line := cursor.next_line()) is not None:
            got.append(line)
        assert got == list(enumerate(lines, start=1))
    cursor = JsonCursor(io.BytesIO(b'{"no": "newline at the end"}'), chunk=4)
    assert cursor.next_line() == (1, '{"no": "newline at the end"}')
    assert cursor.next_line() is None


def test_it_reads_a_50_mb_label_studio_file_in_flat_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    sentence = "Putin said: “We agree with the proposals.” Критики 😀 спорят. "
    text = sentence * 400  # about 25,000 characters
    quote = "We agree with the proposals"
    starts = [i * len(sentence) + sentence.index(quote) for i in range(0, 400, 40)]
    results = [_region(f"r{j}", s, s + len(quote), quote, "Support") for j, s in enumerate(starts)]
    task = json.dumps(_ls_task(text, *results), ensure_ascii=False).encode()
    count = 0
    with path.open("wb") as f:
        f.write(b"[")
        while f.tell() < 50 * 1024 * 1024:
            f.write((b",\n" if count else b"\n") + task)
            count += 1
        f.write(b"\n]\n")
    size = path.stat().st_size
    tracemalloc.start()
    try:
        spans = documents = 0
        with path.open("rb") as f:
            for document in read("label-studio", f):
                documents += 1
                spans += len(document.spans)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert documents == count and spans == count * len(starts)
    assert size > 50 * 1024 * 1024
    assert peak < size / 20, f"peak {peak / 1e6:.1f} MB for a {size / 1e6:.0f} MB file"


def test_it_writes_in_flat_memory() -> None:
    def documents(n: int) -> Iterator[OutDocument]:
        for i in range(n):
            text = " ".join(f"Статья {i}-{j} 😀: “We welcome the decision,” Tusk said." for j in range(60))
            yield OutDocument(
                i, text, f"T{i}", None, "2024-01-01", [_statement(i, text, "We welcome the decision")]
            )

    for fmt in formats.WRITE_FORMATS:
        peaks = []
        for n in (200, 800):
            tracemalloc.start()
            try:
                total = sum(len(chunk) for chunk in write(fmt, documents(n)))
                _, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
            peaks.append(peak)
        assert total > 800 * 60 * 4 if fmt != "events" else total > 800 * 400  # the output grows…
        assert peaks[1] < 2 * 1024 * 1024, f"{fmt}: peak {peaks}"  # …the memory does not
        assert peaks[1] < peaks[0] * 2 + 512 * 1024, f"{fmt}: peak {peaks}"


def test_it_guesses_formats() -> None:
    for name, expected in (
        ("label_studio_export.json", "label-studio"),
        ("doccano_sequence_labeling.jsonl", "doccano"),
        ("doccano_relation_extraction.jsonl", "doccano"),
        ("news.ann", "brat"),
    ):
        head = (DATA / name).read_bytes()[:4096]
        assert guess_format(head, name) == expected
        assert guess_format(head, None) == expected
    docs = [_document()]
    for fmt in formats.WRITE_FORMATS:
        head = b"".join(write(fmt, docs))[:4096]
        assert guess_format(head, None) == fmt
    row = json.dumps(_our_row(1, 1, "A b.", "b", "support", None)).encode()
    assert guess_format(row, "statements.jsonl") == "jsonl"
    assert guess_format(b"hello", "notes.txt") is None


def test_it_caps_the_problems_kept_and_counts_the_rest() -> None:
    report = Report()
    for i in range(MAX_PROBLEMS + 5):
        report.add(f"line {i}", "x", "bad")
    error = report.error()
    assert error is not None and len(error.problems) == MAX_PROBLEMS + 1
    assert "5 more problems" in error.problems[-1].message


# ---------------------------------------------------------------------------------------------
# Writing and round trips


def _statement(
    sid: int,
    text: str,
    quote: str,
    stance: str = "support",
    speaker: OutActor | None = None,
    *,
    occurrence: int = 0,
    addressee: OutActor | None = None,
    conditions: list[InCondition] | None = None,
    annotator: str = "ann",
    note: str = "",
    direct: bool = True,
) -> OutStatement:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(quote, start + 1)
    return OutStatement(
        id=sid,
        start=start,
        end=start + len(quote),
        quote=quote,
        direct=direct,
        stance=stance,
        speaker=speaker,
        addressee=addressee,
        annotator=annotator,
        note=note,
        conditions=conditions or [],
        status="pending",
        created="2024-05-02T10:00:00Z",
    )


TUSK = OutActor(1, "Donald Tusk", "person", aliases=("Tusk",))
OFFICIAL = OutActor(2, "a senior official", "person")
GHOST = OutActor(3, "Unnamed Diplomat", "person")  # not in any text
NATO = OutActor(4, "NATO", "organization")


def _document() -> OutDocument:
    text = (
        "😀 Варшава, 12 мая.\r\n"
        "“We fully back the agreement, but only if the funding is secured,” Tusk said.\r\n"
        "A senior official added: “The sanctions must be lifted before any talks,\r\n"
        "and NATO must agree.”\r\n"
        "“We demand a ceasefire,” said a senior official. 👍 “It is too early,” one diplomat said."
    )
    fund = text.index("the funding is secured")
    return OutDocument(
        id=7,
        text=text,
        title="Tusk backs deal",
        url="https://example.org/7",
        date="2024-05-12",
        source="Wire",
        statements=[
            _statement(
                1,
                text,
                "We fully back the agreement, but only if the funding is secured",
                "support",
                TUSK,
                conditions=[
                    InCondition("funding secured", fund, fund + len("the funding is secured")),
                    InCondition("parliament approves"),
                ],
                note="line one\nline two",
            ),
            _statement(2, text, "but only if the funding is secured", "caveat", TUSK, annotator="ann_b"),
            _statement(
                3,
                text,
                "The sanctions must be lifted before any talks,\r\nand NATO must agree",
                "demand",
                OFFICIAL,
                addressee=NATO,
                direct=False,
            ),
            _statement(4, text, "We demand a ceasefire", "demand", OFFICIAL),
            _statement(5, text, "It is too early", "caveat", GHOST),
        ],
    )


def _second_document() -> OutDocument:
    text = "Кратко: “We welcome the decision.”"
    return OutDocument(8, text, None, None, None, [_statement(9, text, "We welcome the decision", "support")])


def _expected(document: OutDocument) -> list[tuple[int, int, str, str, str | None]]:
    return sorted(
        (s.start, s.end, s.quote, s.stance, s.speaker.name if s.speaker else None)
        for s in document.statements
    )


@pytest.mark.parametrize("fmt", ["label-studio", "doccano", "brat", "events"])
def test_it_round_trips_spans_speakers_and_stances(fmt: str) -> None:
    documents = [_document(), _second_document()]
    data = b"".join(write(fmt, iter(documents)))
    back = read_all(fmt, io.BytesIO(data))
    assert len(back) == 2
    for original, document in zip(documents, back, strict=True):
        assert sorted(_spans(document)) == _expected(original)
        if fmt != "events":
            assert document.text == original.text  # CRLF kept
            assert all(document.text[s.start : s.end] == s.quote for s in document.spans)
            # as written; in brat the statement across a line break comes back as fragments' covering span
            expected = {None, "covering"} if fmt == "brat" else {None}
            assert {s.anchored for s in document.spans} <= expected
        else:
            assert not document.has_text and document.key == str(original.id)
    first = {s.start: s for s in back[0].spans}
    by_id = {s.id: s for s in documents[0].statements}
    if fmt in ("label-studio", "doccano", "brat", "events"):
        for statement in by_id.values():
            span = first[statement.start]
            assert span.annotator == statement.annotator
            assert span.addressee == (statement.addressee.name if statement.addressee else None)
            assert sorted(span.conditions, key=lambda c: c.description) == sorted(
                statement.conditions, key=lambda c: c.description
            )
            # brat has an Indirect attribute only: a direct statement reads as "not said"
            assert span.direct is (None if fmt == "brat" and statement.direct else statement.direct)
    if fmt != "brat":
        assert first[by_id[1].start].note == "line one\nline two"
    else:
        assert first[by_id[1].start].note == "line one line two"  # brat notes are one line


def test_it_writes_label_studio_tasks_with_relations_to_mentioned_speakers() -> None:
    [task] = json.loads(b"".join(write("label-studio", [_document()])))
    assert set(task) == {"data", "annotations"}
    assert task["data"]["article_id"] == 7 and task["data"]["title"] == "Tusk backs deal"
    assert [a["annotator"] for a in task["annotations"]] == ["ann", "ann_b"]
    results = task["annotations"][0]["result"]
    relations = [r for r in results if r["type"] == "relation"]
    actors = {
        r["id"]: r["value"]["text"]
        for r in results
        if r["type"] == "labels" and r["value"]["labels"] == ["Actor"]
    }
    speakers = [actors[r["to_id"]] for r in relations if r["labels"] == ["Speaker"]]
    # the nearest mention, the first letter in either case; the ghost is not in the text
    assert speakers == ["Tusk", "A senior official", "a senior official"]
    assert any(r["from_name"] == "actor" and r["value"]["text"] == ["Donald Tusk"] for r in results)
    [predicted] = json.loads(b"".join(write("label-studio", [_second_document()], target="predictions")))
    assert predicted["predictions"][0]["model_version"] == "ann"
    [document] = read_all("label-studio", io.BytesIO(json.dumps([predicted]).encode()))
    assert [(s.origin, s.annotator) for s in document.spans] == [("prediction", "ann")]


def test_it_writes_a_brat_zip_stream_with_conf_and_pairs() -> None:
    chunks = list(write("brat", iter([_document(), _second_document()])))
    assert len(chunks) >= 2  # streamed, a document at a time
    with zipfile.ZipFile(io.BytesIO(b"".join(chunks))) as archive:
        assert archive.namelist() == ["annotation.conf", "007.txt", "007.ann", "008.txt", "008.ann"]
        ann = archive.read("007.ann").decode()
        assert archive.read("007.txt").decode() == _document().text
        conf = archive.read("annotation.conf").decode()
    assert "Speaker\tArg1:Support|Caveat|Demand, Arg2:Actor" in conf
    assert "\tAnnotatorNotes T" in ann and "Speaker: Unnamed Diplomat" in ann
    assert "Actor: Donald Tusk" in ann  # mentioned as "Tusk"
    multi_line = [line for line in ann.splitlines() if line.startswith("T") and ";" in line.split("\t")[1]]
    assert len(multi_line) == 1  # the statement across a line break, as fragments
    assert all("\r" not in line for line in ann.split("\n"))


def test_it_writes_zip64_records_past_65535_members() -> None:
    archive = ZipStream()
    data = b"".join([archive.add(f"{i:06d}.txt", b"x") for i in range(70_000)] + list(archive.finish()))
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert len(z.namelist()) == 70_000
        assert z.read("069999.txt") == b"x"
        assert z.testzip() is None


def test_it_reads_brat_files_with_a_byte_order_mark() -> None:
    text = "“We agree,” he said."
    [document] = read_all("brat", _brat_zip({"bom": (text, "\ufeffT1\tSupport 1 9\tWe agree\n")}))
    assert [(s.start, s.quote) for s in document.spans] == [(1, "We agree")]


def test_it_writes_doccano_with_relations_and_details() -> None:
    [line] = b"".join(write("doccano", [_document()])).decode().splitlines()
    example = json.loads(line)
    labels = [e["label"] for e in example["entities"]]
    assert labels.count("Actor") == 4 and labels.count("Condition") == 1  # Tusk, A/a senior official, NATO
    assert {r["type"] for r in example["relations"]} == {"Speaker", "Addressee", "Condition"}
    ghost = next(d for d in example["details"].values() if d.get("speaker") == "Unnamed Diplomat")
    assert ghost["statement_id"] == 5


def test_it_writes_event_records_with_cameo_and_plover_codes() -> None:
    records = [json.loads(line) for line in b"".join(write("events", [_document()])).decode().splitlines()]
    by_id = {r["statement_id"]: r for r in records}
    assert [by_id[1]["cameo"], by_id[1]["event"], by_id[1]["mode"], by_id[1]["quad_code"]] == [
        "051",
        ["SUPPORT"],
        ["hypothetical"],
        1,
    ]
    assert by_id[1]["actor"] == [{"entity_text": "Donald Tusk", "identifier_id": 1, "kind": "person"}]
    assert (by_id[2]["cameo"], by_id[2]["event"], by_id[2]["has_event"]) == (None, [], False)  # caveat
    assert (by_id[3]["cameo"], by_id[3]["event"], by_id[3]["mode"]) == ("1054", ["REQUEST"], ["yield"])
    assert by_id[3]["recipient"][0]["entity_text"] == "NATO"
    assert (by_id[4]["cameo"], by_id[4]["cameo_label"]) == (
        "1056",
        "Demand de-escalation of military engagement",
    )
    assert by_id[4]["date"] == "2024-05-12" and by_id[4]["text_info"] == {
        "start": _document().statements[3].start,
        "end": _document().statements[3].end,
    }
    assert formats.cameo_code("support", "We are ready to sign today") == "030"
    assert formats.cameo_code("support", "We are open to talks") == "036"
    assert formats.cameo_code("demand", "We call on the government to resign") == "1041"
    assert formats.cameo_code("demand", "We insist on a binding deadline") == "100"
    assert formats.cameo_code("caveat", "It depends") is None
    assert set(formats.CAMEO_TO_PLOVER) == set(formats.CAMEO_LABELS)


def test_it_refuses_unknown_formats() -> None:
    with pytest.raises(ValueError):
        read_all("conll", io.BytesIO(b""))
    with pytest.raises(ValueError):
        list(write("w3c", []))
    with pytest.raises(FormatError) as excinfo:
        read_all("label-studio", io.BytesIO(b""), name="empty.json")
    assert _problems(excinfo) == [("empty.json", "file")]
    with pytest.raises(FormatError) as excinfo:
        read_all("brat", io.BytesIO(b"not a zip"), name="x.zip")
    assert _problems(excinfo) == [("x.zip", "file")]


def test_it_reads_a_brat_zip_from_an_unseekable_stream() -> None:
    data = b"".join(write("brat", [_second_document()]))
    read_fd, write_fd = os.pipe()
    with os.fdopen(write_fd, "wb") as w:
        w.write(data)
    with os.fdopen(read_fd, "rb", buffering=0) as r:
        [document] = read_all("brat", r)
    assert [(s.quote, s.stance) for s in document.spans] == [("We welcome the decision", "support")]
