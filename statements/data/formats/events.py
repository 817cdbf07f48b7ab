"""Event records: one JSON line per statement, in the spirit of PLOVER (and POLECAT).

Field names follow the PLOVER manual's data-fields chapter (openeventdata/PLOVER,
PLOVER_MANUAL.tex): `id`, `date` (the article's date, YYYY-MM-DD), `actor` and `recipient` (lists
of entity objects: `entity_text`, plus our `identifier_id` and `kind`), `event` (a list of PLOVER
categories), `has_event`, `mode`, `context`, `quad_code`, `event_text`, `text`, `text_info`
(`start`/`end`: code-point offsets of the statement in the article), `cite_info` (`corpus`,
`citation`, `url`, `title`, `publication`), `coder`, `coded_date`, `comment`. The manual invites
providers to add fields; ours: `cameo` and `cameo_label` (a CAMEO code), `stance`, `direct`,
`status`, `conditions`, `article_id`, `statement_id`, `created`.

The codes are derived from the stance and cue words of the quote — an approximation, for
aggregation with event data, not a coding by a trained coder:

- support → PLOVER AGREE (CAMEO 03x: 036 express intent to meet or negotiate, 030 express intent
  to cooperate) or SUPPORT (CAMEO 05x: 051 praise or endorse, the default; 057 sign formal
  agreement), by the cues in SUPPORT_CUES. As the PLOVER manual says, promises (future tense) are
  AGREE, so intent cues ("ready to", "will") come before signing;
- demand → PLOVER REQUEST (CAMEO 10x; the manual renamed DEMAND to REQUEST) with its mode
  (assist, change, yield, meet), by the cues in DEMAND_CUES, e.g. a ceasefire → 1056 demand
  de-escalation of military engagement (mode yield), sanctions → 1054 demand easing of economic
  sanctions (yield), resign → 1041 demand change in leadership (change), talks → 106 demand
  meeting, negotiation (meet); 100 demand, the default;
- caveat → no event code (`event` empty, `has_event` false): a reservation is not an event
  category of PLOVER or CAMEO.

A statement with conditions gets PLOVER's auxiliary mode `hypothetical` in `mode` (the manual
lists it among the auxiliary modes and leaves open where a coder puts it; in `mode` it is next to
the category's own mode).

Reading an events file back (`read`) gives documents without text (`has_text=False`, key = the
article id), one per run of records of the same article, stance from `stance` or else from the
PLOVER category (AGREE/SUPPORT → support, REQUEST/DEMAND → demand).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import IO, Any

from statements.data.formats.common import Region, chunked, is_int, obj, text_or_none
from statements.data.formats.jsonio import json_records
from statements.data.formats.ours import TextFor, finish
from statements.data.formats.records import (
    InCondition,
    InDocument,
    OutActor,
    OutDocument,
    OutStatement,
    Report,
)
from statements.data.formats.stances import StanceMap

# CAMEO codes used, with the codebook's wording (CAMEO 1.1b3).
CAMEO_LABELS: dict[str, str] = {
    "030": "Express intent to cooperate",
    "036": "Express intent to meet or negotiate",
    "051": "Praise or endorse",
    "057": "Sign formal agreement",
    "100": "Demand",
    "103": "Demand aid",
    "1031": "Demand economic aid",
    "1033": "Demand humanitarian aid",
    "1041": "Demand change in leadership",
    "1042": "Demand policy change",
    "1043": "Demand rights",
    "1053": "Demand release of persons or property",
    "1054": "Demand easing of economic sanctions, boycott, or embargo",
    "1056": "Demand de-escalation of military engagement",
    "106": "Demand meeting, negotiation",
    "107": "Demand settling of dispute",
    "108": "Demand mediation",
}

# CAMEO code → (PLOVER category, PLOVER mode or None); modes of REQUEST: assist, change, yield, meet.
CAMEO_TO_PLOVER: dict[str, tuple[str, str | None]] = {
    "030": ("AGREE", None),
    "036": ("AGREE", None),
    "051": ("SUPPORT", None),
    "057": ("SUPPORT", None),
    "100": ("REQUEST", None),
    "103": ("REQUEST", "assist"),
    "1031": ("REQUEST", "assist"),
    "1033": ("REQUEST", "assist"),
    "1041": ("REQUEST", "change"),
    "1042": ("REQUEST", "change"),
    "1043": ("REQUEST", "change"),
    "1053": ("REQUEST", "yield"),
    "1054": ("REQUEST", "yield"),
    "1056": ("REQUEST", "yield"),
    "106": ("REQUEST", "meet"),
    "107": ("REQUEST", "meet"),
    "108": ("REQUEST", "meet"),
}

# PLOVER quad codes: 1 verbal cooperation, 2 material cooperation, 3 verbal conflict, 4 material conflict.
QUAD_CODES: dict[str, int] = {"AGREE": 1, "SUPPORT": 1, "REQUEST": 3}

# (cue pattern, CAMEO code), first match wins; tried against the quote, case-insensitively.
SUPPORT_CUES: tuple[tuple[str, str], ...] = (
    (r"\b(negotiat\w*|talks?|dialogue|meet|meeting|sit down)\b", "036"),
    (
        r"\b(welcom\w*|prais\w*|commend\w*|endors\w*|applaud\w*|congratulat\w*|back|backs|backed|backing"
        r"|support\w*|agree|agrees|agreed|right direction|good for|stand by)\b",
        "051",
    ),
    (r"\b(ready|willing|prepared|intend\w*|will|shall|commit\w*|promis\w*|pledg\w*|going to)\b", "030"),
    (r"\b(sign|signs|signed|signing|ratif\w*)\b", "057"),
)
SUPPORT_DEFAULT = "051"
DEMAND_CUES: tuple[tuple[str, str], ...] = (
    (
        r"\b(cease-?fire|truce|de-?escalat\w*|stop (the )?(fighting|shelling|attacks|bombing|offensive)"
        r"|withdraw\w* (of )?(its |their |the |all )?(troops|forces|soldiers))\b",
        "1056",
    ),
    (r"\b(releas\w*|hostages?|prisoners?|detainees?)\b", "1053"),
    (r"\b(sanction\w*|embargo\w*|boycott\w*|blockade)\b", "1054"),
    (r"\b(resign\w*|step down|steps down|dismiss\w*|oust\w*)\b", "1041"),
    (r"\b(mediat\w*)\b", "108"),
    (r"\b(negotiat\w*|talks|dialogue|meet|meeting)\b", "106"),
    (r"\b(humanitarian)\b", "1033"),
    (r"\b(compensat\w*|funding|funds|money|loans?|paid|pay|payments?)\b", "1031"),
    (r"\b(aid|assistance|help)\b", "103"),
    (r"\b(rights?|freedoms?|liberties)\b", "1043"),
    (r"\b(settle|settlement|peace deal)\b", "107"),
    (
        r"\b(reform\w*|withdraw\w*|repeal\w*|scrap\w*|revers\w*|reopen\w*|measures|polic(y|ies)|law|laws)\b",
        "1042",
    ),
)
DEMAND_DEFAULT = "100"

_SUPPORT = [(re.compile(p, re.IGNORECASE), c) for p, c in SUPPORT_CUES]
_DEMAND = [(re.compile(p, re.IGNORECASE), c) for p, c in DEMAND_CUES]


def cameo_code(stance: str, quote: str) -> str | None:
    """The CAMEO code for a statement (None for a caveat)."""
    if stance == "support":
        rules, default = _SUPPORT, SUPPORT_DEFAULT
    elif stance == "demand":
        rules, default = _DEMAND, DEMAND_DEFAULT
    else:
        return None
    for pattern, code in rules:
        if pattern.search(quote):
            return code
    return default


def event_record(document: OutDocument, statement: OutStatement) -> dict[str, Any]:
    st = statement
    code = cameo_code(st.stance, st.quote)
    category, mode = CAMEO_TO_PLOVER[code] if code else (None, None)
    modes = [m for m in (mode, "hypothetical" if st.conditions else None) if m]
    return {
        "id": f"statement-{st.id}",
        "date": document.date[:10] if document.date else None,
        "actor": _entities(st.speaker),
        "recipient": _entities(st.addressee),
        "event": [category] if category else [],
        "has_event": category is not None,
        "mode": modes,
        "context": [],
        "quad_code": QUAD_CODES.get(category) if category else None,
        "cameo": code,
        "cameo_label": CAMEO_LABELS.get(code) if code else None,
        "event_text": [st.quote],
        "text": st.quote,
        "text_info": {"start": st.start, "end": st.end},
        "cite_info": {
            "corpus": "annotator",
            "citation": str(document.id),
            "url": document.url,
            "title": document.title,
            "publication": document.source,
        },
        "coder": st.annotator,
        "coded_date": st.created[:10] if st.created else None,
        "comment": st.note,
        "stance": st.stance,
        "direct": st.direct,
        "status": st.status,
        "conditions": [{"description": c.description, "start": c.start, "end": c.end} for c in st.conditions],
        "article_id": document.id,
        "statement_id": st.id,
        "created": st.created,
    }


def _entities(actor: OutActor | None) -> list[dict[str, Any]]:
    if actor is None:
        return []
    return [{"entity_text": actor.name, "identifier_id": actor.id, "kind": actor.kind}]


def write(documents: Iterator[OutDocument]) -> Iterator[bytes]:
    def lines() -> Iterator[bytes]:
        for document in documents:
            for statement in document.statements:
                record = event_record(document, statement)
                yield json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"

    return chunked(lines())


_CATEGORY_STANCE = {"AGREE": "support", "SUPPORT": "support", "REQUEST": "demand", "DEMAND": "demand"}


def read(
    stream: IO[bytes], stances: StanceMap, report: Report, name: str | None, text_for: TextFor | None
) -> Iterator[InDocument]:
    run: list[Region] = []
    article: dict[str, Any] = {}
    first_location = ""
    for location, record in json_records(stream, report, item="item", name=name):
        if not isinstance(record, dict):
            report.add(
                location, "record", f"an event record must be a JSON object, not {type(record).__name__}"
            )
            continue
        cite = obj(record.get("cite_info"))
        this = {
            "id": record.get("article_id", cite.get("citation")),
            "title": cite.get("title"),
            "url": cite.get("url"),
            "published": record.get("date"),
            "source": cite.get("publication"),
        }
        if run and this["id"] != article.get("id"):
            document = finish(first_location, article, run, stances, report, text_for)
            if document is not None:
                yield document
            run = []
        if not run:
            article, first_location = this, location
        run.append(_region(location, record))
    if run:
        document = finish(first_location, article, run, stances, report, text_for)
        if document is not None:
            yield document


def _first_entity(value: Any) -> str | None:
    for entity in value if isinstance(value, list) else [value]:
        if isinstance(entity, dict):
            for key in ("entity_text", "identifier_text", "code"):
                if text_or_none(entity.get(key)):
                    return str(entity[key])
        elif text_or_none(entity):
            return str(entity)
    return None


def _region(location: str, record: dict[str, Any]) -> Region:
    info = obj(record.get("text_info"))
    texts = record.get("event_text")
    quote = texts[0] if isinstance(texts, list) and texts else record.get("text")
    label = record.get("stance")
    if not isinstance(label, str):
        events = [e for e in record.get("event") or [] if isinstance(e, str)]
        label = next(
            (_CATEGORY_STANCE[e] for e in events if e in _CATEGORY_STANCE), events[0] if events else None
        )
    conditions = []
    for c in record.get("conditions") or []:
        if isinstance(c, dict) and isinstance(c.get("description"), str):
            s, e = c.get("start"), c.get("end")
            conditions.append(
                InCondition(c["description"], s if is_int(s) else None, e if is_int(e) else None)
            )
    ident = record.get("statement_id", record.get("id"))
    return Region(
        key=None if ident is None else str(ident),
        location=location,
        start=info.get("start"),
        end=info.get("end"),
        quote=quote,
        labels=[label] if isinstance(label, str) else [],
        fields=("text_info.start", "text_info.end", "event_text"),
        speaker=_first_entity(record.get("actor")),
        addressee=_first_entity(record.get("recipient")),
        annotator=text_or_none(record.get("coder")),
        notes=[record["comment"]] if text_or_none(record.get("comment")) else [],
        conditions=conditions,
        status=text_or_none(record.get("status")),
        direct=record.get("direct") if isinstance(record.get("direct"), bool) else None,
    )
