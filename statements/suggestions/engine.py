"""The suggestion engine: `suggest(text, actors)` proposes statements following the codebook.

One pass over the article, sentence by sentence:

1. quotations are paired (`quotes.scan_quotes`) and each is classified: a **direct** statement
   (it starts a sentence, or an attribution introduces it: `X said: “…”`, `“…,” X said, “…”`),
   a **distractor** (so-called, titled, code-named, nicknamed, known as, what X call, title case)
   or a **partial** quote inside reported speech;
2. direct statements get their speaker from the attribution after or before the quotation, or
   from the previous statement when the quotation resumes without one;
3. the rest of each sentence is searched for **reported speech**: *according to X, A*, *A, X said*,
   *X said (that) A (and that B)*, *…, saying A*, *X urged Y to …*, *X called Y “…”*; a clause that
   takes no position (a bare report of facts) is dropped;
4. speakers are resolved to the registry (names, aliases, surnames, capital metonyms), to the
   nearest earlier fitting mention (pronouns, role descriptions), to an unnamed source, or to a
   named source not in the registry (`new_speaker`);
5. stance and conditions come from the statement's own text (`stance.py`).

Pure Python, standard library only; no I/O. Offsets are code points (Python `str` indexes).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from . import cues
from . import stance as stance_mod
from .cues import words
from .model import ActorInfo, Suggestion
from .quotes import Quote, dateline_end, paragraph_starts, scan_quotes, sentence_spans
from .registry import Mention, Registry, Token, as_registry, tokenize

ENGINE_VERSION = "1.1.0"  # bumped with every change of the output: pre-computed sets are keyed by it

_BASE_SCORE = {
    "direct": 0.9,
    "direct-split": 0.88,
    "direct-resumed": 0.78,
    "direct-colon": 0.6,
    "direct-unattributed": 0.35,
    "reported-that": 0.72,
    "reported-bare": 0.62,
    "reported-post": 0.7,
    "according-to": 0.7,
    "reported-saying": 0.68,
    "reported-urge": 0.7,
    "reported-called": 0.62,
    "reported-vow": 0.6,
    "reported-parenthetical": 0.6,
    "transcript": 0.8,
}

_AUX = words(
    "is was were are be been being has had have will would could should can may might do does did shall must"
)
_BAD_CLAUSE_START = words(
    "how why whether what when where which who whom asked asking speaking to was were is are be been "
    "being had has have would will could should can not never by for of with from at in on into about "
    "over after before during and or but if than as"
)
_SKIP_PART = words(
    "who which whose whom where when while speaking asked according led headed chaired backed based "
    "founded appointed elected born aged including like such"
)
_INTRO_PREP = words(
    "after before during in on at with following despite as for from since under amid among by"
)
_PREPS = words("of for at to in from with by on near about over under between among against into than")
_VERBISH = words(
    "met went struck made took gave left held sent spoke wrote signed said told came saw won lost "
    "began became kept put set led ran brought thought sought got stood"
)
_OWN_VOICE = words(
    "office spokesman spokeswoman spokesperson press team camp aides lawyers lawyer representative "
    "representatives"
)
_DEMONYM_END = ("ian", "ean", "ese", "ish", "ean", "ic", "i", "an")
_NAME_STOP = words(
    "the a an but and in on at after before during while as for with from by to of however meanwhile "
    "then when where so yet also if this that these those his her their its our my your we i he she "
    "they it there here no not today monday tuesday wednesday thursday friday saturday sunday january "
    "february march april may june july august september october november december earlier later "
    "yesterday tonight overnight separately afterwards elsewhere"
)
_TITLE_LEAD = (
    cues.TITLE_WORDS
    | cues.HONORIFICS
    | words(
        "foreign defence defense interior prime finance deputy vice former acting opposition party state "
        "security energy water environment trade fisheries justice health economy economic chief first "
        "senior special general secretary mission human rights sanctions field"
    )
)
_APPOS_NOUNS = (
    "move|step|claim|position|stance|signal|sign|reference|remark|statement|assertion|comment|charge|"
    "accusation|demand|proposal|concession|warning|figure|view|line|plan|reversal|shift|point|promise|"
    "pledge|threat|decision|call|condition|idea|message|allusion|nod|rebuke|jab|dig|swipe|hint|offer|"
    "suggestion|apparent|assessment|estimate|prospect|scenario|development|gesture|measure"
)
_APPOS_RE = re.compile(
    r"(?:,|\s[—–-])\s+(?:(?:a|an|in\s+an?|what|one)\s+(?:[\w'’-]+\s+){0,2}?(?:"
    + _APPOS_NOUNS
    + r")s?\b|(?:well|far|still|just)\s+(?:short|below|above|beyond|less|more)\b)",
    re.I,
)
# the reporter's own participle or circumstance after the clause ("…, citing security concerns")
_REPORTER_TAIL_RE = re.compile(
    r",\s+(?:citing|pointing\s+to|referring\s+to|amid|following|in\s+an\s+apparent|"
    # the scene ("…, as thousands of people waited") or a concession set apart ("…, while noting")
    r"as\s+(?:thousands|hundreds|dozens|millions|tens\s+of\s+thousands)|"
    r"while\s+(?:noting|adding|insisting|warning|stressing|acknowledging|admitting|conceding))\b",
    re.I,
)
_SPLIT_THAT_RE = re.compile(r",?\s+(?:and|but|or)\s+(?:also\s+)?that\s+", re.I)
_CONT_RE = re.compile(
    r",?\s+(?:and|but)\s+(?:(?:he|she|they|it|also)\s+)?(?:also\s+)?(?P<v>"
    + "|".join(sorted(cues.CLAUSE_VERBS | cues.CALLED_VERBS, key=len, reverse=True))
    + r"|urged|called\s+(?:on|upon|for)|appealed\s+to|pressed|vowed|vowing|pledged|pledging|promised|"
    r"promising|threatened|threatening|calling|describing|dismissing|urging)\b",
    re.I,
)
_PART_RE = re.compile(
    r",\s+(?P<v>"
    + "|".join(
        sorted(
            cues.PARTICIPLES
            | {
                "describing",
                "calling",
                "dismissing",
                "urging",
                "branding",
                "labelling",
                "hailing",
                "denouncing",
            },
            key=len,
            reverse=True,
        )
    )
    + r")\b",
    re.I,
)
_ACCORDING_TAIL_RE = re.compile(r",\s+according\s+to\b", re.I)
_ACCORDING_HEAD_RE = re.compile(r"\s*According\s+to\s+", re.I)
_POST_ATTR_RE = re.compile(
    r",\s+(?P<np>[^,;:“”\"]{1,90}?)\s+(?P<v>said|says|added|adds|told\s+[^,;.]{1,40}?|insisted|warned|argued|stressed|"
    r"noted|stated|declared|wrote|posted|explained|claimed|maintained|believes|reiterated|confirmed|announced|"
    r"acknowledged|conceded|predicted|suggested|cautioned|complained|insists|argues|warns)\b",
    re.I,
)
_INVERTED_POST_RE = re.compile(r",\s+(?P<v>said|says|added|wrote)\s+(?P<np>[^,;:“”\"]{1,90}?)\s*$", re.I)
# a transcript's turn: a paragraph opening with a name in capitals and a colon
_TURN_RE = re.compile(
    r"(?:^|(?<=\n))(?P<name>[A-ZÀ-ÖØ-ÞА-ЯΑ-Ω][A-ZÀ-ÖØ-ÞА-ЯΑ-Ω'’.\-]+(?:\s+[A-ZÀ-ÖØ-ÞА-ЯΑ-Ω][A-ZÀ-ÖØ-ÞА-ЯΑ-Ω'’.\-]+){0,2}):"
    r"[ \t]+(?P<body>[^\n]+)"
)
_QUESTION_TURN_RE = re.compile(r"(?:^|(?<=\n))(?:QUESTION|Q|REPORTER|QUESTIONER|INTERVIEWER):[ \t]", re.M)
_TURN_SKIP = words(
    "question q a answer reporter reporters questioner interviewer moderator note editor update"
)
_LEAD_CONJ_RE = re.compile(r"(?:but|and|yet|so|still|however,?|meanwhile,?)\s+", re.I)
_BOUNDARY_RE = re.compile(r",\s+but\s+|\s+but\s+|,\s+and\s+|;\s+|:\s+|,\s+while\s+|,\s+whereas\s+", re.I)
_TRAIL_ADV_RE = re.compile(
    r"(?:\s+(?:has|have|had|also|later|again|would|will|earlier|previously|repeatedly|separately|privately|"
    r"publicly|then|now|still|further|once|subsequently|on\s+\w+day|last\s+week|this\s+week|yesterday|today))+\s*$",
    re.I,
)
_THAT_RE = re.compile(r"\s*that\s+", re.I)
_WORD_RE = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")


@dataclass(slots=True)
class Spk:
    actor: int | None = None
    new: tuple[str, str] | None = None  # (name, kind)
    anon: bool = False
    mention: str = ""
    ms: int | None = None
    me: int | None = None
    how: str = ""
    head: str = ""  # head noun of an unnamed source ("negotiator")

    def key(self) -> tuple:
        if self.actor is not None:
            return ("a", self.actor)
        if self.new is not None:
            return ("n", self.new[0].casefold())
        if self.anon:
            return ("x",)
        return ("?",)


@dataclass(slots=True)
class Ent:
    """A discourse entity mention: a pronoun or description may point back to it."""

    pos: int
    end: int
    spk: Spk
    kind: str  # person | org | state | anon | anon-pl | thing
    gender: str | None = None
    heads: tuple[tuple[str, frozenset[str]], ...] = ()
    in_quote: bool = False


@dataclass(slots=True)
class Cand:
    start: int
    end: int
    direct: bool
    spk: Spk | None
    kind: str
    why: list[str] = field(default_factory=list)
    addressee: int | None = None


class _Doc:
    def __init__(self, text: str, reg: Registry):
        self.text = text
        self.reg = reg
        self.n = len(text)
        self.tokens: list[Token] = tokenize(text)
        self.tstarts = [t.start for t in self.tokens]
        self.mentions: list[Mention] = reg.find_mentions(self.tokens)
        self.mstarts = [m.start for m in self.mentions]
        self.mention_by_tok: dict[int, Mention] = {m.tok: m for m in self.mentions}
        self.quotes: list[Quote] = scan_quotes(text)
        self.qopens = [q.open for q in self.quotes]
        self.qidx = {q.open: i for i, q in enumerate(self.quotes)}
        self.sentences = sentence_spans(text, self.quotes)
        self.paras = paragraph_starts(text)
        self.dateline = dateline_end(text)
        self.role: dict[int, str] = {}  # quote index -> direct | distractor | partial | scare
        self.cands: list[Cand] = []
        self.cstarts: list[int] = []  # starts of self.cands, kept sorted with it
        self.names = self._name_candidates()
        self.name_at_tok = {c[4]: c for c in self.names}
        self.ents: list[Ent] = []
        self.epos: list[int] = []
        self._build_entities()

    # ------------------------------------------------------------------ helpers
    def tok_range(self, a: int, b: int) -> tuple[int, int]:
        i = bisect.bisect_left(self.tstarts, a)
        j = bisect.bisect_left(self.tstarts, b)
        while j > i and self.tokens[j - 1].end > b:
            j -= 1
        return i, j

    def _qi(self, q: Quote) -> int:
        return self.qidx[q.open]

    def para_of(self, pos: int) -> int:
        return bisect.bisect_right(self.paras, pos) - 1

    def quote_at(self, pos: int) -> Quote | None:
        k = bisect.bisect_right(self.qopens, pos) - 1
        if k >= 0:
            q = self.quotes[k]
            if q.open <= pos < q.outer_end:
                return q
        return None

    def in_any_quote(self, pos: int) -> bool:
        q = self.quote_at(pos)
        return q is not None and q.open < pos

    # ------------------------------------------------------------------ entities
    def _name_candidates(self) -> list[tuple[int, int, str, str, int, int]]:
        """Capitalised names not in the registry: (start, end, name, kind, tok, tok_end)."""
        toks = self.tokens
        in_mention: set[int] = set()
        for m in self.mentions:
            in_mention.update(range(m.tok, m.tok_end))
        out = []
        i, n = 0, len(toks)
        while i < n:
            t = toks[i]
            if not t.cap or i in in_mention or t.poss:
                i += 1
                continue
            j = i + 1
            while (
                j < n
                and j not in in_mention
                and not toks[j].poss
                and toks[j].start - toks[j - 1].end <= 1
                and (
                    toks[j].cap
                    or (
                        toks[j].key in ("von", "van", "der", "de", "da", "di", "al", "bin", "le", "la")
                        and j + 1 < n
                        and toks[j + 1].cap
                    )
                )
                and self.text[toks[j - 1].end : toks[j].start] in (" ", "-", "")
            ):
                j += 1
            run = list(range(i, j))
            # strip sentence-initial function words, titles, demonyms before a title
            while run and (
                toks[run[0]].key in _NAME_STOP
                or toks[run[0]].key in _TITLE_LEAD
                or (
                    len(run) > 1
                    and toks[run[1]].key in _TITLE_LEAD
                    and toks[run[0]].key.endswith(_DEMONYM_END)
                )
            ):
                run.pop(0)
            i = j
            if not run:
                continue
            a, b = toks[run[0]].start, toks[run[-1]].end
            if self.in_any_quote(a):
                continue
            prev = toks[run[0] - 1] if run[0] > 0 else None
            keys = [toks[k].key for k in run]
            if any(k in cues.ORG_WORDS for k in keys):
                kind = "organization"
            elif len(run) >= 2:
                kind = "person"
            else:
                kind = "single"
            if prev is not None and prev.key == "the" and kind != "organization":
                kind = "thing"  # the Santa Rosa, the Polar Dawn
            if (
                prev is not None
                and prev.key in ("in", "at", "from", "to", "near", "into", "of", "for")
                and kind == "person"
            ):
                # "talks in New Haven": a place, or the tail of an organisation name
                kind = "thing"
            out.append((a, b, self.text[a:b], kind, run[0], run[-1] + 1))
        return out

    def _title_heads(self, tok: int, tok_end: int) -> tuple[tuple[str, frozenset[str]], ...]:
        """Titles written next to a name: "Defence Minister Erik Halvorsen", "X, the mayor of Skarv,"."""
        toks = self.tokens
        heads = []
        # immediately before: Foreign Minister Anna Kovac / party spokesman Γιάννης Παπαδάκης
        k = tok - 1
        titles: list[str] = []
        while (
            k >= 0
            and tok - k <= 4
            and toks[k + 1].start - toks[k].end <= 1
            and (toks[k].key in _TITLE_LEAD or toks[k].key in ("mission", "fund", "party", "league"))
        ):
            titles.append(toks[k].key)
            k -= 1
        for w in titles:
            if w in cues.TITLE_WORDS:
                heads.append((w, frozenset(titles) - {w}))
                break
        text = self.text
        # appositive before: "Kestria’s chief negotiator, Pavel Drummond"
        a = toks[tok].start
        if a >= 2 and text[a - 2 : a] == ", ":
            lo = max(text.rfind(",", 0, a - 2), text.rfind(".", 0, a - 2), text.rfind("\n", 0, a - 2)) + 1
            part = [w.casefold() for w in _WORD_RE.findall(text[lo : a - 2])][-5:]
            for w in reversed(part):
                if w in cues.TITLE_WORDS:
                    heads.append((w, frozenset(part) - {w}))
                    break
        # appositive after: "Amadou Sy, the head of …", "Sigrun Dahl, the mayor of Skarv"
        b = toks[tok_end - 1].end
        if text[b : b + 2] == ", ":
            hi = min(
                [x for x in (text.find(",", b + 2), text.find(".", b + 2), text.find("\n", b + 2)) if x >= 0]
                or [self.n]
            )
            part = [w.casefold() for w in _WORD_RE.findall(text[b + 2 : hi])][:6]
            if part and part[0] not in ("who", "which", "whose", "said", "told", "added"):
                for w in part:
                    if w in cues.TITLE_WORDS:
                        heads.append((w, frozenset(part) - {w}))
                        break
        return tuple(heads)

    def _build_entities(self) -> None:
        """Every registry mention and capitalised name, in text order, for pronouns and roles."""
        reg = self.reg
        items: list[Ent] = []
        seen: dict[int, int] = {}  # actor -> position of its latest unambiguous mention
        for m in self.mentions:
            if m.start < self.dateline:
                continue  # the dateline names a place
            if len(m.ids) == 1:
                aid = m.ids[0]
            else:  # an alias several actors share: the one mentioned last, if any
                known = [x for x in m.ids if x in seen]
                if not known:
                    continue
                aid = max(known, key=seen.__getitem__)
            seen[aid] = m.start
            kind = "person" if reg.is_person(aid) else ("state" if reg.is_state(aid) else "org")
            spk = Spk(actor=aid, mention=self.text[m.start : m.end], ms=m.start, me=m.end, how="name")
            heads = self._title_heads(m.tok, m.tok_end) if kind == "person" else ()
            items.append(
                Ent(m.start, m.end, spk, kind, reg.gender.get(aid), heads, self.in_any_quote(m.start))
            )
        for a, b, name, kind, t0, t1 in self.names:
            if kind not in ("person", "organization"):
                continue
            spk = Spk(new=(name, kind), mention=name, ms=a, me=b, how="new")
            heads = self._title_heads(t0, t1) if kind == "person" else ()
            items.append(Ent(a, b, spk, "person" if kind == "person" else "org", None, heads, False))
        items.sort(key=lambda e: e.pos)
        self.ents = items
        self.epos = [e.pos for e in items]
        self.actor_pos: dict[int, list[int]] = {}
        # entities by the title written next to them ("minister") and new names by surname
        self.head_index: dict[str, list[tuple[int, frozenset[str], Ent]]] = {}
        self.surnames: dict[str, list[tuple[int, tuple[str, str]]]] = {}
        for e in items:
            if e.spk.actor is not None:
                self.actor_pos.setdefault(e.spk.actor, []).append(e.pos)
            for h, hmods in e.heads:
                self.head_index.setdefault(h, []).append((e.pos, hmods, e))
            if e.spk.new is not None:
                self.surnames.setdefault(e.spk.new[0].casefold().split()[-1], []).append((e.pos, e.spk.new))

    def add_ent(self, ent: Ent) -> None:
        k = bisect.bisect_right(self.epos, ent.pos)
        self.epos.insert(k, ent.pos)
        self.ents.insert(k, ent)
        if ent.spk.actor is not None:
            bisect.insort(self.actor_pos.setdefault(ent.spk.actor, []), ent.pos)
        if ent.spk.anon and ent.spk.head:
            # an unnamed source can be taken up later by its description ("the negotiator")
            bisect.insort(
                self.head_index.setdefault(ent.spk.head, []),
                (ent.pos, frozenset({"\0anon"}), ent),
                key=lambda x: x[0],
            )

    def add_cand(self, c: Cand) -> None:
        k = bisect.bisect_right(self.cstarts, c.start)
        self.cstarts.insert(k, c.start)
        self.cands.insert(k, c)

    def cands_before(self, pos: int) -> Iterator[Cand]:
        for i in range(bisect.bisect_left(self.cstarts, pos) - 1, -1, -1):
            yield self.cands[i]

    def quotes_in(self, a: int, b: int) -> Iterator[tuple[int, Quote]]:
        """Quotations that open in [a, b), with their indexes."""
        for k in range(bisect.bisect_left(self.qopens, a), bisect.bisect_left(self.qopens, b)):
            yield k, self.quotes[k]

    def ents_before(self, pos: int) -> Iterator[Ent]:
        k = bisect.bisect_left(self.epos, pos)
        for i in range(k - 1, -1, -1):
            yield self.ents[i]

    def last_mention_of(self, aid: int, pos: int) -> int | None:
        lst = self.actor_pos.get(aid)
        if not lst:
            return None
        k = bisect.bisect_left(lst, pos)
        return lst[k - 1] if k else None

    def pick_nearest(self, ids: Sequence[int], pos: int) -> int:
        best, bpos = ids[0], -1
        for aid in ids:
            p = self.last_mention_of(aid, pos)
            if p is not None and p > bpos:
                best, bpos = aid, p
        return best

    # ------------------------------------------------------------------ speakers
    def resolve_np(self, a: int, b: int, ctx: int | None = None) -> Spk | None:
        """The speaker a noun phrase (a subject or an attribution) refers to."""
        text = self.text
        while a < b and text[a] in " ,—–-\t\n":
            a += 1
        while b > a and text[b - 1] in " ,—–-\t\n":
            b -= 1
        if b <= a:
            return None
        ctx = a if ctx is None else ctx
        # comma / dash / bracket parts; relative clauses and intro adverbials dropped
        parts: list[tuple[int, int]] = []
        s = a
        for m in re.finditer(r",|\s[—–-]\s|\(|\)", text[a:b]):
            parts.append((s, a + m.start()))
            s = a + m.end()
        parts.append((s, b))
        kept: list[tuple[int, int, list[Token]]] = []
        for pa, pb in parts:
            i, j = self.tok_range(pa, pb)
            toks = self.tokens[i:j]
            if not toks:
                continue
            fw = toks[0].key
            if fw in _SKIP_PART:
                continue
            if len(parts) > 1 and fw in _INTRO_PREP and not kept and len(toks) > 1:
                continue
            kept.append((pa, pb, toks))
        if not kept:
            return None
        # 1. an unnamed source: "a senior official", "officials in Arden", "two people familiar with"
        anon = self._anon(kept[0][2])
        if anon is not None:
            return anon
        # 2. a name: the head of the first noun-phrase group of the first part that has one
        for pa, pb, toks in kept:
            sp = self._named_head(pa, pb, toks)
            if sp is not None:
                return sp
        # 3. description alias, pronoun, role description, document, single capitalised word
        for pa, pb, toks in kept:
            sp = self._description(pa, pb, toks, ctx)
            if sp is not None:
                return sp
        return None

    def _anon(self, toks: list[Token]) -> Spk | None:
        keys = [t.key for t in toks]
        if not keys:
            return None
        if keys[0] == "one" and (len(keys) == 1 or keys[1] in _AUX or keys[1] in cues.SPEECH_VERBS):
            return Spk(
                anon=True, mention=toks[0].text, ms=toks[0].start, me=toks[0].end, how="anonymous", head="one"
            )
        start = 0
        if keys[0] in cues.QUANTIFIERS or keys[0].isdigit():
            start = 1
            if len(keys) > 1 and keys[1] == "of":
                start = 2
        limit = min(len(keys), start + 4)
        for k in range(start, limit):
            w = keys[k]
            if w in cues.ANON_NOUNS:
                plural = w.endswith("s") or w in ("people", "men", "women", "fishermen", "spokespeople")
                if start == 0 and not plural:
                    return None  # "Spokesman Ivo Marten", "Foreign Minister X": not unnamed
                if w in cues.SPOKES:
                    # a spokesperson for an institution speaks for it
                    org = self._first_mention(toks[k + 1 :]) or self._first_mention(toks[:k])
                    if org is not None:
                        return org
                if any(t.key in ("who", "which") for t in toks[:k]):
                    return None
                return Spk(
                    anon=True,
                    mention=" ".join(t.text for t in toks[: k + 1]),
                    ms=toks[0].start,
                    me=toks[k].end,
                    how="anonymous",
                    head=w.rstrip("s") if plural else w,
                )
            if w in _AUX or w in cues.SPEECH_VERBS:
                break
        return None

    def _first_mention(self, toks: list[Token]) -> Spk | None:
        """The first institution or state named among toks ("a spokeswoman for the ministry")."""
        for t in toks:
            i = bisect.bisect_left(self.tstarts, t.start)
            m = self.mention_by_tok.get(i)
            if m is None:
                continue
            ids = [x for x in m.ids if not self.reg.is_person(x)]
            if ids:
                aid = ids[0] if len(ids) == 1 else self.pick_nearest(ids, m.start)
                return Spk(
                    actor=aid, mention=self.text[m.start : m.end], ms=m.start, me=m.end, how="institution"
                )
        return None

    def _named_head(self, pa: int, pb: int, toks: list[Token]) -> Spk | None:
        """Head of the first group of names in a part ("League Secretary-General Oskar Lind" -> Lind);
        names after a preposition ("the head of the Red Lantern Society") or before 's are not heads."""
        i0 = bisect.bisect_left(self.tstarts, toks[0].start)
        i1 = i0 + len(toks)
        group: list[Spk] = []
        gap_ok = True
        k = i0
        names_by_tok = self.name_at_tok
        while k < i1:
            t = self.tokens[k]
            prev = self.tokens[k - 1] if k > i0 else None
            m = self.mention_by_tok.get(k)
            nc = names_by_tok.get(k)
            if nc is not None and nc[1] > pb:
                nc = None
            after_prep = prev is not None and (
                prev.key in _PREPS or (prev.key == "the" and k - 2 >= i0 and self.tokens[k - 2].key in _PREPS)
            )
            if m is not None and m.end <= pb:
                modifier = (
                    m.tok_end < i1
                    and self.tokens[m.tok_end].key in cues.TITLE_WORDS
                    and not self.reg.is_person(m.ids[0])
                )
                if modifier and not any(
                    self.mention_by_tok.get(x) or names_by_tok.get(x) for x in range(m.tok_end, i1)
                ):
                    k = m.tok_end  # "the union leader", "NATO spokesman": not the institution itself
                    continue
                if not m.poss and not after_prep and m.is_name:
                    aid = m.ids[0] if len(m.ids) == 1 else self.pick_nearest(m.ids, m.start)
                    group.append(
                        Spk(
                            actor=aid,
                            mention=self.text[m.start : m.end],
                            ms=m.start,
                            me=m.end,
                            how="metonym" if self.reg.is_state(aid) else "name",
                        )
                    )
                elif group:
                    break
                k = m.tok_end
                continue
            if nc is not None and nc[3] in ("person", "organization", "single") and not after_prep:
                name, kind = nc[2], nc[3]
                group.append(self._new_speaker(name, kind, nc[0], nc[1]))
                k = nc[5]
                continue
            if (
                group
                and not (t.key in _TITLE_LEAD or t.cap)
                and (
                    t.key in _AUX
                    or t.key in cues.SPEECH_VERBS
                    or t.key in _VERBISH
                    or (t.key.endswith("ed") and len(t.key) > 4)
                    or k - i0 > 12
                )
            ):
                break
            if not group and not (t.cap or t.key in _TITLE_LEAD or t.key in ("the", "a", "an") or t.poss):
                gap_ok = False
            if not gap_ok and not group and t.key in _AUX:
                break
            k += 1
        return group[-1] if group else None

    def _new_speaker(self, name: str, kind: str, a: int, b: int) -> Spk:
        if kind == "single":
            # a surname of a new speaker named earlier ("Marten said")
            earlier = [new for pos, new in self.surnames.get(name.casefold(), ()) if pos < a]
            if earlier:
                return Spk(new=earlier[-1], mention=name, ms=a, me=b, how="new")
            kind = "organization" if name.isupper() and len(name) > 1 else "other"
        return Spk(
            new=(
                name,
                "organization" if kind == "organization" else ("person" if kind == "person" else kind),
            ),
            mention=name,
            ms=a,
            me=b,
            how="new",
        )

    def _description(self, pa: int, pb: int, toks: list[Token], ctx: int) -> Spk | None:
        text = self.text
        # description aliases ("the Kestrian foreign ministry", "the League's council")
        i0 = bisect.bisect_left(self.tstarts, toks[0].start)
        for k in range(i0, i0 + len(toks)):
            m = self.mention_by_tok.get(k)
            if m is None or m.end > pb:
                continue
            prev = self.tokens[k - 1] if k > i0 else None
            if prev is not None and prev.key in _PREPS:
                continue
            nxt_i = m.tok_end + 1
            if (
                m.poss
                and nxt_i < len(self.tokens)
                and self.tokens[nxt_i].key in _OWN_VOICE
                and nxt_i <= i0 + len(toks) - 1
                and (nxt_i + 1 >= i0 + len(toks) or self.tokens[nxt_i + 1].key not in ("for", "of"))
            ):
                aid = m.ids[0] if len(m.ids) == 1 else self.pick_nearest(m.ids, m.start)
                return Spk(
                    actor=aid,
                    mention=text[m.start : self.tokens[nxt_i].end],
                    ms=m.start,
                    me=self.tokens[nxt_i].end,
                    how="office",
                )
            if m.poss and k + (m.tok_end - m.tok) + 1 < i0 + len(toks):
                # "Tarsenia's defence ministry": a role of that actor
                role = self._role(toks[(m.tok_end - i0) + 1 :], ctx, aff=m.ids)
                if role is not None:
                    return role
                continue
            if (
                m.tok_end < len(self.tokens)
                and self.tokens[m.tok_end].key in cues.TITLE_WORDS
                and self.tokens[m.tok_end].start <= m.end + 1
                and self.tokens[m.tok_end].end <= pb
            ):
                # "the union leader": the alias only qualifies the head noun
                role = self._role(self.tokens[m.tok_end : i0 + len(toks)], ctx)
                if role is not None:
                    return role
                continue
            aid = m.ids[0] if len(m.ids) == 1 else self.pick_nearest(m.ids, m.start)
            return Spk(
                actor=aid,
                mention=text[m.start : m.end],
                ms=m.start,
                me=m.end,
                how="metonym" if self.reg.is_state(aid) else ("alias" if not m.is_name else "name"),
            )
        keys = [t.key for t in toks]
        # pronouns
        if keys[0] in cues.PRONOUNS and (
            len(keys) == 1
            or keys[1] in _AUX
            or keys[1] in cues.SPEECH_VERBS
            or keys[1] in ("also", "later", "then")
        ):
            return self._pronoun(keys[0], toks[0], ctx)
        # documents: "the statement said" -> whoever issued it (the previous speaker)
        if (
            keys[0] in ("the", "a", "an", "its", "his", "her", "their")
            and len(keys) <= 4
            and keys[-1] in cues.DOC_NOUNS
        ):
            issuer = self._previous_speaker(ctx, paragraphs=2)
            if issuer is not None:
                return Spk(
                    actor=issuer.actor,
                    new=issuer.new,
                    anon=issuer.anon,
                    mention=text[toks[0].start : toks[-1].end],
                    ms=toks[0].start,
                    me=toks[-1].end,
                    how="document",
                )
        # role descriptions: "the foreign minister", "the negotiator", "the ministry"
        if keys[0] in ("the", "this", "that") and len(keys) >= 2:
            role = self._role(toks[1:], ctx)
            if role is not None:
                return role
        # one capitalised word that is not a registry name: a new source
        if len(toks) == 1 and toks[0].cap and keys[0] not in _NAME_STOP and keys[0] not in cues.PRONOUNS:
            return self._new_speaker(toks[0].text, "single", toks[0].start, toks[0].end)
        return None

    def _role(self, toks: list[Token], ctx: int, aff: Sequence[int] | None = None) -> Spk | None:
        words = [t for t in toks if not t.poss]
        if not words:
            return None
        # the head is the last word before a preposition or a relative pronoun
        head_i = len(words) - 1
        for i, t in enumerate(words):
            if (
                t.key in _PREPS
                or t.key in ("who", "which", "whose")
                or t.key in _AUX
                or t.key in cues.SPEECH_VERBS
            ):
                head_i = i - 1
                break
        if head_i < 0:
            return None
        head = words[head_i].key
        mods = frozenset(t.key for t in words[:head_i])
        if aff is None and head_i + 1 < len(words) and words[head_i + 1].key in ("in", "of", "at"):
            k2 = bisect.bisect_left(self.tstarts, words[head_i + 1].start) + 1
            if k2 < len(self.tokens) and self.tokens[k2].key == "the":
                k2 += 1
            lm = self.mention_by_tok.get(k2)
            if lm is not None and any(self.reg.is_state(x) for x in lm.ids):
                aff = tuple(x for x in lm.ids if self.reg.is_state(x))
        text = self.text
        a, b = toks[0].start, words[head_i].end
        a0 = a
        # include a leading "the" in the mention
        k = bisect.bisect_left(self.tstarts, a)
        if k > 0 and self.tokens[k - 1].key in ("the", "this", "that") and self.tokens[k - 1].end >= a - 1:
            a0 = self.tokens[k - 1].start
        best: tuple[tuple[float, int], Ent | int] | None = None
        cands: dict[int, frozenset[str]] = {}
        for aid, m in self.reg.heads.get(head, ()):
            cands[aid] = cands.get(aid, frozenset()) | m
        # titles seen next to names in this article, and unnamed sources of that description
        for h in {head, head.rstrip("s")}:
            for pos, m, e in self.head_index.get(h, ()):
                if pos >= ctx:
                    break
                anon = "\0anon" in m
                sc: tuple[float, int] = (-0.5 if anon else len(mods & m), pos)
                if best is None or sc > best[0]:
                    best = (sc, e)
        for aid, m in cands.items():
            if aff is not None:
                actor = self.reg.by_id.get(aid)
                if actor is None or (actor.affiliation_id not in aff and aid not in aff):
                    continue
            p = self.last_mention_of(aid, ctx)
            if p is None and aff is None:
                continue
            bonus = len(mods & m) - len(mods - m) * 0.25
            sc = (bonus, p if p is not None else -1)
            if best is None or sc > best[0]:
                best = (sc, aid)
        if best is None and cands:
            # nobody with that role mentioned yet: the dateline's country, else the nearest state named
            states: list[int] = []
            if self.dateline:
                for m0 in self.mentions:
                    if m0.start >= self.dateline:
                        break
                    states.extend(x for x in m0.ids if self.reg.is_state(x))
            for e in self.ents_before(ctx):
                if e.kind == "state" and e.spk.actor is not None:
                    states.append(e.spk.actor)
            for st in states:
                hits = [
                    aid
                    for aid in cands
                    if self.reg.by_id[aid].affiliation_id == st and not self.reg.is_person(aid)
                ]
                if len(hits) > 1 and mods:
                    top = max(len(mods & cands[h]) for h in hits)
                    hits = [h for h in hits if len(mods & cands[h]) == top] if top else hits
                if len(hits) == 1:
                    best = ((0, -1), hits[0])
                    break
        if best is None:
            return None
        who = best[1]
        if isinstance(who, Ent):
            e = who
            return Spk(
                actor=e.spk.actor,
                new=e.spk.new,
                anon=e.spk.anon,
                mention=text[a0:b],
                ms=a0,
                me=b,
                how="role",
                head=e.spk.head,
            )
        return Spk(actor=who, mention=text[a0:b], ms=a0, me=b, how="role")

    def _pronoun(self, p: str, tok: Token, ctx: int) -> Spk | None:
        want = cues.PRONOUNS[p]
        if want in ("we", "i"):
            return None
        for strict in (True, False):
            for e in self.ents_before(ctx):
                if strict and e.in_quote:
                    continue
                if want in ("m", "f"):
                    if e.kind not in ("person", "anon"):
                        continue
                    if e.gender is not None and e.gender != want:
                        continue
                elif want == "pl":
                    if e.kind not in ("anon-pl", "org", "state"):
                        continue
                elif want == "it" and e.kind not in ("org", "state"):
                    continue
                if e.spk.actor is None and e.spk.new is None and not e.spk.anon:
                    continue
                return Spk(
                    actor=e.spk.actor,
                    new=e.spk.new,
                    anon=e.spk.anon,
                    mention=tok.text,
                    ms=tok.start,
                    me=tok.end,
                    how="pronoun",
                    head=e.spk.head,
                )
        return None

    def _previous_speaker(self, pos: int, paragraphs: int = 1) -> Spk | None:
        best = next((c for c in self.cands_before(pos) if c.spk is not None), None)
        if best is None:
            return None
        if self.para_of(pos) - self.para_of(best.start) > paragraphs:
            return None
        return best.spk

    def note_speaker(self, spk: Spk | None) -> None:
        """Resolved pronouns, roles and unnamed sources become mentions later references can use."""
        if spk is None or spk.ms is None or spk.how == "name":
            return
        if spk.anon:
            kind = (
                "anon-pl"
                if spk.head and spk.mention.casefold().rstrip().endswith(("s", "people"))
                else "anon"
            )
        elif spk.actor is not None:
            kind = (
                "person"
                if self.reg.is_person(spk.actor)
                else ("state" if self.reg.is_state(spk.actor) else "org")
            )
        elif spk.new is not None:
            kind = "person" if spk.new[1] == "person" else "org"
        else:
            return
        gender = self.reg.gender.get(spk.actor) if spk.actor is not None else None
        self.add_ent(Ent(spk.ms, spk.me or spk.ms, spk, kind, gender, (), False))

    # ------------------------------------------------------------------ direct quotes
    def _intro(self, a: int, open_: int) -> tuple[int, int, str] | None:
        """(np_start, np_end, verb) of an attribution that introduces a quotation: `X said: “`,
        `X told reporters, “`, `“…,” she said, “`."""
        text = self.text
        h = text[a:open_]
        hs = h.rstrip()
        if not hs:
            return None
        end_punct = hs[-1] in ":,—–-"
        last = None
        for m in cues.SPEECH_VERB_RE.finditer(h):
            last = m
        for m in re.finditer(r"\b(?:" + "|".join(cues.PARTICIPLES) + r")\b", h, re.I):
            if last is None or m.start() > last.start():
                last = m
        if last is not None:
            gap = h[last.end() :].strip().rstrip(":,—–-").strip()
            verb = last.group(0).casefold()
            ok = False
            if not gap:
                ok = True
            elif end_punct and not re.search(r"\bthat\b|[“”\"]", gap):
                rest = gap
                while rest:
                    m2 = cues.ADVERBIAL_RE.match(rest)
                    if not m2 or m2.end() == 0:
                        break
                    rest = rest[m2.end() :].strip(" ,")
                words = _WORD_RE.findall(rest)
                if (
                    not rest
                    or (verb.split()[0] in cues.TELL_VERBS | {"told", "telling"} and len(words) <= 5)
                    or len(words) <= 3
                    and not any(w.casefold() in _AUX for w in words)
                ):
                    ok = True
            if ok:
                return a, a + last.start(), verb
        if hs.endswith(":"):
            return a, a + len(hs) - 1, ":"
        return None

    def _attribution_after(self, q: Quote, lim: int) -> tuple[Spk | None, int, int] | None:
        """`“…,” X said …` / `“…,” said X, …` / `“…”, according to X`: (speaker, np_start, np_end)."""
        text = self.text
        t0 = q.outer_end
        tail = text[t0:lim]
        if not tail.strip(" ,.—–-"):
            return None
        m = re.match(r"\s*,?\s*according\s+to\s+", tail, re.I)
        if m:
            a = t0 + m.end()
            b = self._np_cut(a, lim)
            return self.resolve_np(a, b, a), a, b
        m = cues.SPEECH_VERB_RE.search(tail, 0, 140)
        if not m:
            return None
        pre = tail[: m.start()]
        if re.search(r"[.;:!?“”\"]", pre):
            return None
        pre_s = pre.strip(" ,—–-\t")
        words = [w.casefold() for w in _WORD_RE.findall(pre_s)]
        if words and (words[0] in _AUX or len(words) > 16):
            return None
        if not pre_s:
            a = t0 + m.end()
            b = self._np_cut(a, lim)
            if b <= a:
                return None
            return self.resolve_np(a, b, a), a, b
        a, b = t0, t0 + m.start()
        # "he added" / "Kovac, who …, told reporters": np before the verb
        b2 = b
        mt = _TRAIL_ADV_RE.search(text, a, b)
        if mt and mt.end() == b:
            b2 = mt.start()
        return self.resolve_np(a, b2, a), a, b2

    def _np_cut(self, a: int, lim: int) -> int:
        text = self.text
        m = re.compile(
            r",|\.|;|\(|\s[—–-]\s|\s(?:who|whose|which|after|at|in|on|during|when|as|before|while|from|"
            r"adding|saying|told|in\s+a)\s|[“”\"]"
        ).search(text, a, lim)
        return m.start() if m else lim

    def _classify_quote(self, qi: int, q: Quote, ss: int, se: int, prev_q: Quote | None) -> None:
        text = self.text
        head_a = prev_q.outer_end if prev_q is not None else ss
        head = text[head_a : q.open]
        inner = text[q.start : q.end]
        # a head of symbols and emoji only ("😀 “…”", "— “…”") leaves the quote sentence-initial
        has_words = _WORD_RE.search(head) is not None
        intro = self._intro(head_a, q.open) if has_words else None
        embedded = has_words and intro is None
        if embedded:
            if self._is_distractor(ss, q, inner):
                self.role[qi] = "distractor"
            else:
                nw = len(_WORD_RE.findall(inner))
                noun_use = re.search(r"\b(?:a|an|the|this|that|its|their)\s*$", head, re.I)
                self.role[qi] = "partial" if nw >= 2 or (nw == 1 and not noun_use) else "scare"
            return
        # a quotation that starts the sentence but is used as a noun ("“X” was the code name")
        lim = se
        nxt = self._next_quote_in(q, se)
        if nxt is not None:
            lim = nxt.open
        spk: Spk | None = None
        kind = "direct"
        why = []
        if intro is not None:
            np_a, np_b, verb = intro
            if (
                prev_q is not None
                and self.role.get(self._qi(prev_q)) == "direct"
                and not text[np_a:np_b].strip(" ,")
            ):
                spk = self._spk_of_quote(prev_q)
                kind = "direct-split"
                why.append("attribution:split")
            elif verb == ":":
                spk = self.resolve_np(np_a, np_b, np_a)
                kind = "direct-colon"
                why.append("attribution:colon")
            else:
                np_text = text[np_a:np_b].strip(" ,")
                if prev_q is not None and self.role.get(self._qi(prev_q)) == "direct":
                    kind = "direct-split"
                    why.append("attribution:split")
                    spk = self.resolve_np(np_a, np_b, np_a) if np_text else self._spk_of_quote(prev_q)
                    if spk is None:
                        spk = self._spk_of_quote(prev_q)
                elif not np_text or verb in cues.PARTICIPLES:
                    spk = self._sentence_subject(ss, np_a if np_text else q.open)
                    why.append("attribution:before")
                else:
                    spk = self.resolve_np(np_a, np_b, np_a)
                    why.append("attribution:before")
        if spk is None and kind == "direct":
            after = self._attribution_after(q, lim)
            if after is not None:
                spk = after[0]
                why.append("attribution:after")
            elif intro is None:
                tail = text[q.outer_end : lim].strip(" ,.;:!?—–-”’\"')")
                if tail:
                    # “Northern Light” was the code name: not an utterance
                    self.role[qi] = "distractor" if self._titlecase(inner) else "scare"
                    return
                prev = self._previous_speaker(q.open, paragraphs=1)
                if prev is not None and (
                    self.para_of(q.open) == self.para_of(self._prev_cand_start(q.open))
                    or text[self.paras[self.para_of(q.open)] : q.open].strip() == ""
                ):
                    spk = prev
                    kind = "direct-resumed"
                    why.append("attribution:resumed")
                else:
                    kind = "direct-unattributed"
        if q.reopens:
            why.append("span:across-paragraphs")
        if q.close < 0:
            why.append("span:unclosed")
        if kind == "direct-unattributed" and (self._titlecase(inner) or len(_WORD_RE.findall(inner)) < 3):
            self.role[qi] = "scare"
            return
        self.role[qi] = "direct"
        c = Cand(q.start, q.end, True, spk, kind, why)
        self.add_cand(c)
        self._quote_cand[qi] = c
        self.note_speaker(spk)

    def _prev_cand_start(self, pos: int) -> int:
        k = bisect.bisect_left(self.cstarts, pos)
        return self.cstarts[k - 1] if k else 0

    def _spk_of_quote(self, q: Quote) -> Spk | None:
        c = self._quote_cand.get(self._qi(q))
        return c.spk if c is not None else None

    def _next_quote_in(self, q: Quote, se: int) -> Quote | None:
        k = self._qi(q) + 1
        if k < len(self.quotes) and self.quotes[k].open < se:
            return self.quotes[k]
        return None

    def _titlecase(self, inner: str) -> bool:
        words = _WORD_RE.findall(inner)
        content = [w for w in words if w.casefold() not in cues.SMALL_WORDS]
        if len(words) < 2 or not content:
            return False
        if inner.rstrip()[-1:] in ".,!?;:":
            return False
        return all(w[0].isupper() or w[0].isdigit() for w in content)

    def _is_distractor(self, ss: int, q: Quote, inner: str) -> bool:
        before = self.text[max(ss, q.open - 80) : q.open]
        if cues.NAMING_BEFORE_RE.search(before):
            return True
        return self._titlecase(inner)

    # ------------------------------------------------------------------ reported speech
    def _sentence_subject(self, ss: int, lim: int) -> Spk | None:
        b = lim
        m = re.search(r",\s+(?:" + "|".join(cues.PARTICIPLES) + r")\b", self.text[ss:lim], re.I)
        if m:
            b = ss + m.start()
        # the subject phrase: up to the first verb-like word after a name group
        return self.resolve_np(ss, b, ss)

    def _subject_region(self, a: int, v: int) -> tuple[int, int]:
        text = self.text
        lo = a
        for m in _BOUNDARY_RE.finditer(text, a, v):
            if not self.in_any_quote(m.start()):
                lo = m.end()
        lead = _LEAD_CONJ_RE.match(text, lo, v)  # "But she added that …": the subject is "she"
        if lead:
            lo = lead.end()
        b = v
        mt = _TRAIL_ADV_RE.search(text, lo, v)
        if mt and mt.end() >= v - 1:
            b = mt.start()
        return lo, b

    def _after_verb(self, v_end: int, verb: str, lim: int) -> tuple[int, bool] | None:
        """Start of the content clause after a speech verb, and whether *that* introduced it."""
        text = self.text
        p = v_end
        verb = verb.casefold().split()[0]
        for _ in range(6):
            m = cues.ADVERBIAL_RE.match(text, p, lim)
            if not m or m.end() == p:
                break
            p = m.end()
        m = _THAT_RE.match(text, p, lim)
        if m and text[p : m.end()].strip():
            return m.end(), True
        while p < lim and text[p] in " ,":
            p += 1
        nxt = _WORD_RE.match(text, p, lim)
        window = text[p : min(lim, p + 90)]
        if verb in cues.TELL_VERBS or (nxt and nxt.group(0).casefold() in _INTRO_PREP):
            mt = re.search(r"\bthat\s+", window)
            if (
                mt
                and not re.search(r"[,;:“”\"]", window[: mt.start()])
                # "…, the minister said, in a move that could end …": the reporter's comment
                and not re.search(rf"\b(?:{_APPOS_NOUNS})\s+$", window[: mt.start()], re.I)
            ):
                return p + mt.end(), True
            if verb in cues.TELL_VERBS and verb not in (
                "warned",
                "warns",
                "warning",
                "promised",
                "promising",
            ):
                return self._after_object(p, lim)
        if nxt is None or nxt.start() > p:
            if p < lim and text[p] in "“\"‘'":
                return p, False
            mt = re.search(r"\bthat\s+", window)
            if mt and not re.search(r"[,;:“”\"]", window[: mt.start()]) and mt.start() < 50:
                return p + mt.end(), True
            return None
        w = nxt.group(0)
        if w.casefold() in _BAD_CLAUSE_START or w.casefold() in cues.SPEECH_VERBS:
            return None
        if (
            w[0].isupper()
            or w.casefold()
            in (
                "the",
                "a",
                "an",
                "this",
                "these",
                "those",
                "its",
                "his",
                "her",
                "their",
                "our",
                "any",
                "no",
                "all",
                "both",
                "every",
                "such",
                "some",
                "it",
                "he",
                "she",
                "they",
                "we",
                "i",
                "there",
                "more",
                "most",
                "many",
                "several",
                "each",
                "neither",
                "either",
                "another",
                "one",
                "two",
                "three",
                "nothing",
                "none",
                "everyone",
                "nobody",
            )
            or w[0].isdigit()
        ):
            return p, False
        # a bare noun subject followed soon by a finite verb: "said islanders were frustrated"
        words = [x.casefold() for x in _WORD_RE.findall(text[p : min(lim, p + 70)])][:6]
        if len(words) >= 3 and any(x in _AUX for x in words[1:5]):
            return p, False
        return None

    def _after_object(self, p: int, lim: int) -> tuple[int, bool] | None:
        """`told reporters Ebrenia shares …`, `told the Dravinian parliament the dam …`: skip the audience."""
        i, j = self.tok_range(p, lim)
        toks = self.tokens[i : min(j, i + 6)]
        dets = ("the", "a", "an", "its", "his", "her", "their", "our", "state")
        for k in range(1, min(5, len(toks))):
            t, prev = toks[k], toks[k - 1]
            if prev.key in dets or prev.poss or prev.key in _AUX:
                continue
            starts = t.cap or t.key in (
                "he",
                "she",
                "they",
                "it",
                "we",
                "i",
                "the",
                "this",
                "its",
                "their",
                "there",
            )
            if not starts:
                continue
            if t.cap and prev.cap:
                continue
            if self.text[prev.end : t.start].strip():
                return None
            return t.start, False
        return None

    def _own_voice_before(self, a: int, p: int) -> bool:
        """A past-tense stance word is the speaker's own position after a pronoun ("he regretted")
        or a copula ("he was satisfied"), not after another party ("NATO criticised the plan")."""
        words = [w.casefold() for w in _WORD_RE.findall(self.text[max(a, p - 40) : p])][-2:]
        return any(
            w
            in (
                "he",
                "she",
                "they",
                "we",
                "i",
                "it",
                "was",
                "were",
                "is",
                "are",
                "be",
                "been",
                "being",
                "remain",
                "remains",
                "remained",
                "feel",
                "feels",
                "felt",
                "had",
                "has",
                "have",
            )
            for w in words
        )

    def _position(self, a: int, b: int) -> bool:
        """Does the clause take a position? A bare past-tense report of facts does not."""
        seg = self.text[a:b]
        if cues.POSITION_RE.search(seg) or cues.DEMAND_RE.search(seg) or cues.MODAL_DIRECTIVE_RE.search(seg):
            return True
        if stance_mod._STARTING_POINT_RE.search(seg):
            return True
        for rx in (cues.SUPPORT_RE, cues.CAVEAT_RE):
            for m in rx.finditer(seg):
                w = m.group(0)
                if rx is cues.CAVEAT_RE and cues.HOSTILE_RE.fullmatch(w):
                    continue
                if w.casefold().endswith("ed") and not self._own_voice_before(a, a + m.start()):
                    continue  # "the Kremlin endorsed the plan, according to officials": a third party's act
                return True
        for m in cues.HOSTILE_VERB_RE.finditer(seg):
            before = seg[: m.start()]
            if cues.PASSIVE_BEFORE_RE.search(before):
                continue
            # an accusation names its agent just before the verb: a party, a demonym ("Norvathi units")
            words = _WORD_RE.findall(before)[-4:]
            if any(w[0].isupper() for w in words if w.casefold() not in ("a", "an", "the", "but", "and")):
                return True
        return any(q.outer_end <= b + 1 and self.role.get(qi) == "partial" for qi, q in self.quotes_in(a, b))

    def _cut(self, c: int, lim: int) -> tuple[list[tuple[int, int]], tuple[int, str] | None]:
        """Split content [c, lim) into clauses (… and that …), stopping at a continuation
        (…, and urged …, …, adding that …), a trailing appositive or attribution."""
        text = self.text
        pieces: list[tuple[int, int]] = []
        start = c
        pos = c
        cont = None
        while True:
            found = None
            for rx, what in (
                (_SPLIT_THAT_RE, "that"),
                (_CONT_RE, "cont"),
                (_PART_RE, "part"),
                (_ACCORDING_TAIL_RE, "stop"),
                (_APPOS_RE, "stop"),
                (_POST_ATTR_END_RE, "stop"),
                (_REPORTER_TAIL_RE, "stop"),
            ):
                m = rx.search(text, pos, lim)
                while m is not None and self.in_any_quote(m.start()):
                    m = rx.search(text, m.end(), lim)
                if m is not None and (found is None or m.start() < found[0].start()):
                    found = (m, what)
            if found is None:
                pieces.append((start, lim))
                break
            m, what = found
            if what == "stop" and m.re is _POST_ATTR_END_RE and not self._post_attr_ok(m):
                pos = m.end()
                continue
            pieces.append((start, m.start()))
            if what == "that":
                start = pos = m.end()
                continue
            if what in ("cont", "part"):
                cont = (m.start("v"), m.group("v"))
            break
        out = []
        for a, b in pieces:
            while b > a and text[b - 1] in " ,;:—–-\t\n":
                b -= 1
            while a < b and text[a] in " \t":
                a += 1
            if b > a:
                out.append((a, b))
        return out, cont

    def _post_attr_ok(self, m: re.Match) -> bool:
        return self.resolve_np(m.start("np"), m.end("np")) is not None

    def _emit(self, a: int, b: int, spk: Spk | None, kind: str, why: list[str], check: bool = True) -> bool:
        text = self.text
        while b > a and text[b - 1] in " ,;:.\t\n":
            if (
                text[b - 1] == "."
                and b - 1 > a
                and text[b - 2].isupper()
                and (b - 2 == a or not text[b - 3].isalpha())
            ):
                break  # an initial
            b -= 1
        while a < b and text[a] in " \t\n,":
            a += 1
        if b <= a or len(_WORD_RE.findall(text[a:b])) < 2:
            return False
        if check and not self._position(a, b):
            return False
        if spk is None:
            return False
        k = bisect.bisect_left(self.cstarts, b)
        if any(self.cands[i].end > a for i in range(max(0, k - 8), k)):
            return False  # suggestions never overlap
        self.add_cand(Cand(a, b, False, spk, kind, list(why)))
        self.note_speaker(spk)
        return True

    def _clause_from_verb(self, v: int, verb: str, lim: int, spk: Spk, depth: int = 0) -> bool:
        """Statements starting at a speech verb (or a continuation) with a known speaker."""
        text = self.text
        if re.search(r"\b(?:who|which)\s+(?:\w+\s+)?$", text[max(0, v - 20) : v], re.I):
            k = self._comma_outside(v, lim)
            if k is not None:
                lim = k
        vl = verb.casefold()
        vend = v + len(verb)
        if depth > 4:
            return False
        if vl.split()[0] in (
            "urged",
            "urges",
            "urging",
            "called",
            "calling",
            "calls",
            "appealed",
            "pressed",
            "pressing",
            "implored",
        ) and (cues.URGE_RE.match(text, v) or cues.CALL_FOR_RE.match(text, v)):
            m = cues.URGE_RE.match(text, v) or cues.CALL_FOR_RE.match(text, v)
            assert m is not None
            pieces, cont = self._cut(m.end(), lim)
            if pieces:
                end = pieces[0][1]
                ok = self._emit(v, end, spk, "reported-urge", ["reported:urge"], check=False)
                if cont:
                    self._clause_from_verb(cont[0], cont[1], lim, spk, depth + 1)
                return ok
            return False
        if vl.split()[0] in _VOW_VERBS and re.match(r"\s+to\s+\w", text[vend:lim]):
            pieces, cont = self._cut(vend, lim)
            if pieces:
                ok = self._emit(v, pieces[0][1], spk, "reported-vow", ["reported:vow"], check=False)
                if cont:
                    self._clause_from_verb(cont[0], cont[1], lim, spk, depth + 1)
                return ok
            return False
        if vl.split()[0] in cues.CALLED_VERBS:
            # X called the offer “a starting point”
            if vl.endswith("ing") and not re.search(r"(?:,|\band)\s*$", text[max(0, v - 6) : v]):
                return False
            for qi, q in self.quotes_in(vend, vend + 71):
                if (
                    vend <= q.open <= vend + 70
                    and q.outer_end <= lim
                    and self.role.get(qi) in ("partial", "scare")
                ):
                    between = text[vend : q.open]
                    if re.search(r"[.;:“”\"]", between) or (
                        vl == "called" and re.match(r"\s+(?:on|for|upon)\b", between)
                    ):
                        break
                    end = q.outer_end
                    mpp = re.match(
                        r"\s+(?:for|to|of|in|on|against|towards|with)\s+[^,;.:“”\"]{1,60}?(?=$|[,;.:]|\s+(?:and|but)\s)",
                        text[end:lim],
                    )
                    if mpp and len(_WORD_RE.findall(mpp.group(0))) <= 8:
                        end += mpp.end()
                    ok = self._emit(v, end, spk, "reported-called", ["reported:called"], check=False)
                    rest = end
                    m = _CONT_RE.match(text, rest, lim) or _PART_RE.match(text, rest, lim)
                    if m:
                        self._clause_from_verb(m.start("v"), m.group("v"), lim, spk, depth + 1)
                    return ok
            return False
        r = self._after_verb(vend, vl, lim)
        if r is None:
            return False
        c, that = r
        pieces, cont = self._cut(c, lim)
        kind = "reported-that" if that else "reported-bare"
        # insist, argue, maintain, claim …: the claim itself is the position (codebook 5, tie-break 5)
        assertive = vl.split()[0] in _ASSERT_VERBS
        if depth and text[v : v + 20].casefold().startswith(tuple(cues.PARTICIPLES)):
            kind = "reported-saying"
        ok = False
        for a, b in pieces:
            ok |= self._emit(
                a, b, spk, kind, [f"reported:{vl}"] + (["reported:that"] if that else []), check=not assertive
            )
            kind = "reported-that"
        if cont:
            self._clause_from_verb(cont[0], cont[1], lim, spk, depth + 1)
        return ok

    def _reported(
        self, a: int, b: int, ss: int, tail_of: Cand | None = None, attr_end: int | None = None
    ) -> None:
        text = self.text
        while b > a and text[b - 1] in " .!?\t\n":
            b -= 1
        if b - a < 8:
            return
        if tail_of is not None:
            # after a direct quotation: only continuations of its attribution (", adding that …")
            p = attr_end if attr_end is not None else a
            m = _PART_RE.search(text, p, b) or _CONT_RE.search(text, p, b)
            if m and tail_of.spk is not None and not self.in_any_quote(m.start()):
                self._clause_from_verb(m.start("v"), m.group("v"), b, tail_of.spk, 1)
            return
        # most sentences report nothing: skip them on a set lookup before any pattern runs
        i, j = self.tok_range(a, b)
        trig = _TRIGGERS
        if not any(t.key in trig for t in self.tokens[i:j]):
            return
        seg = text[a:b]
        # according to X, A
        m = _ACCORDING_HEAD_RE.match(seg)
        if m:
            src_a = a + m.end()
            comma = self._comma_outside(src_a, b)
            if comma is not None:
                spk = self.resolve_np(src_a, comma, src_a)
                pieces, cont = self._cut(comma + 1, b)
                for pa, pb in pieces:
                    self._emit(pa, pb, spk, "according-to", ["reported:according-to"])
                return
        # A, according to X
        m = _ACCORDING_TAIL_RE.search(text, a, b)
        if m and not self.in_any_quote(m.start()):
            src_a = m.end()
            src_b = self._comma_outside(src_a, b) or b
            spk = self.resolve_np(src_a, src_b, src_a)
            if spk is not None and self._clause_start_ok(a):
                self._emit(a, m.start(), spk, "according-to", ["reported:according-to"])
                return
        # Meridia, she argued, had “not done enough” …: the clause cannot be cut around the attribution
        m = _PAREN_ATTR_RE.match(text, a, b)
        if m and not self.in_any_quote(m.start("np")):
            spk = self.resolve_np(m.start("np"), m.end("np"), m.start("np"))
            if spk is not None and self._emit(
                a, b, spk, "reported-parenthetical", ["reported:parenthetical"]
            ):
                return
        # A, X said (on Monday)(, but warned that B)
        for m in _POST_ATTR_RE.finditer(text, a, b):
            if self.in_any_quote(m.start()):
                continue
            rest = m.end()
            mm = cues.ADVERBIAL_RE.match(text, rest, b)
            while mm and mm.end() > rest:
                rest = mm.end()
                mm = cues.ADVERBIAL_RE.match(text, rest, b)
            tail = text[rest:b]
            tail_ok = not tail.strip() or bool(
                _CONT_RE.match(text, rest, b)
                or _PART_RE.match(text, rest, b)
                or re.match(r",\s+\w+ing\b", tail)
                or re.match(r",\s+(?:but|and)\s+(?:" + "|".join(cues.CLAUSE_VERBS) + r")\b", tail, re.I)
            )
            if not tail_ok:
                continue
            np_a, np_b = m.start("np"), m.end("np")
            if re.search(r"\b(?:that|who|which)\b", text[np_a:np_b]) or re.match(
                r"(?:a|an|the|one)\s+(?:[\w'’-]+\s+)?(?:" + _APPOS_NOUNS + r"|figure|number|sum|amount)s?\b",
                text[np_a:np_b],
                re.I,
            ):
                continue
            spk = self.resolve_np(np_a, np_b, np_a)
            if spk is None or not self._clause_start_ok(a):
                continue
            self._emit(a, m.start(), spk, "reported-post", ["reported:post"])
            mc = (
                _CONT_RE.match(text, rest, b)
                or _PART_RE.match(text, rest, b)
                or re.match(
                    r",\s+(?:but|and)\s+(?P<v>" + "|".join(cues.CLAUSE_VERBS) + r")\b", text[rest:b], re.I
                )
            )
            if mc:
                if mc.re.pattern.startswith(",\\s+(?:but|and)\\s+(?P<v>"):
                    self._clause_from_verb(rest + mc.start("v"), mc.group("v"), b, spk, 1)
                else:
                    self._clause_from_verb(mc.start("v"), mc.group("v"), b, spk, 1)
            return
        # A, said the minister.
        m = _INVERTED_POST_RE.search(text, a, b)
        np_words = [w.casefold() for w in _WORD_RE.findall(m.group("np"))] if m else []
        if (
            m
            and not self.in_any_quote(m.start())
            and self._clause_start_ok(a)
            and len(np_words) <= 8
            and not any(w in _AUX or w in cues.PRONOUNS or w.endswith("ed") for w in np_words)
        ):
            spk = self.resolve_np(m.start("np"), m.end("np"), m.start("np"))
            if spk is not None and self._emit(a, m.start(), spk, "reported-post", ["reported:post-inverted"]):
                return
        # X said (that) A …; X urged Y to …; X called Y “…”
        for m in _MAIN_VERB_RE.finditer(text, a, b):
            if self.in_any_quote(m.start()):
                continue
            verb = m.group(0)
            lo, hi = self._subject_region(a, m.start())
            region = text[lo:hi].strip(" ,")
            if re.search(r"\bthat\b", region, re.I) or re.search(
                r"\b(?:not|never|n['’]t|did|does|do|declined\s+to|refused\s+to)\s*$",
                text[a : m.start()],
                re.I,
            ):
                continue  # inside a content clause, or a speech act that did not happen
            if region:
                words = _WORD_RE.findall(region)
                if len(words) > 24:
                    continue
                spk = self.resolve_np(lo, hi, lo)
            else:
                spk = self._sentence_subject(ss, lo) if lo > a else None
            if spk is None:
                continue
            relative = re.search(
                r"\b(?:who|which)\s+(?:\w+\s+)?$", text[max(a, m.start() - 20) : m.start()], re.I
            )
            if self._clause_from_verb(m.start(), verb, b, spk) and not relative:
                return
        # …, saying A (subject: the sentence's)
        m = _PART_RE.search(text, a, b)
        if m and not self.in_any_quote(m.start()):
            spk = self._sentence_subject(ss, m.start())
            if spk is not None:
                self._clause_from_verb(m.start("v"), m.group("v"), b, spk, 1)

    def _clause_start_ok(self, a: int) -> bool:
        w = _WORD_RE.match(self.text, a)
        return w is not None and w.group(0).casefold() not in _BAD_CLAUSE_START

    def _comma_outside(self, a: int, b: int) -> int | None:
        p = a
        while True:
            k = self.text.find(",", p, b)
            if k < 0:
                return None
            if not self.in_any_quote(k):
                return k
            p = k + 1

    # ------------------------------------------------------------------ run
    def _transcript_turns(self) -> None:
        """A transcript ("LIND: Let me start with …", one speaker's turn a paragraph, the name in
        capitals, questions as QUESTION: or Q:): each turn of a named speaker is one statement, its
        text after the colon (codebook 2: the whole of what one speaker says at once). Only where
        at least two turns come in the article, so a dateline ("GENEVA: …") is no turn."""
        text = self.text
        turns = [m for m in _TURN_RE.finditer(text) if m.group("name").casefold() not in _TURN_SKIP]
        if len(turns) + len(_QUESTION_TURN_RE.findall(text)) < 2 or len(turns) < 1:
            return
        for m in turns:
            if not text[: m.start()].strip():
                continue  # the article's first paragraph: a dateline ("GENEVA: …"), not a turn
            a, b = m.start("body"), m.end("body")
            while b > a and text[b - 1] in " \t\r":
                b -= 1
            if len(_WORD_RE.findall(text[a:b])) < 2:
                continue
            spk = self.resolve_np(m.start("name"), m.end("name"), m.start("name"))
            if spk is not None and spk.actor is not None and self.reg.is_state(spk.actor):
                continue  # a place in capitals (a dateline further down), not a speaker
            if spk is None:
                name = " ".join(w.capitalize() for w in m.group("name").split())
                spk = self._new_speaker(name, "person", m.start("name"), m.end("name"))
            self.add_cand(Cand(a, b, True, spk, "transcript", ["transcript:turn"]))
            self.note_speaker(spk)

    def run(self) -> list[Suggestion]:
        text = self.text
        self._quote_cand: dict[int, Cand] = {}
        self._transcript_turns()
        qi = 0
        nq = len(self.quotes)
        for ss, se in self.sentences:
            while qi < nq and self.quotes[qi].open < ss:
                qi += 1
            in_sent = []
            k = qi
            while k < nq and self.quotes[k].open < se:
                in_sent.append(k)
                k += 1
            prev_q = None
            for k in in_sent:
                q = self.quotes[k]
                self._classify_quote(k, q, ss, se, prev_q)
                prev_q = q
            # free segments around direct quotations
            directs = [self.quotes[k] for k in in_sent if self.role.get(k) == "direct"]
            if not directs:
                self._reported(ss, se, ss)
                continue
            first = directs[0]
            head = text[ss : first.open].rstrip()
            if head.endswith(":") and cues.CLAUSE_VERB_RE.search(head):
                self._reported(ss, ss + len(head) - 1, ss)
            for j, q in enumerate(directs):
                lim = directs[j + 1].open if j + 1 < len(directs) else se
                c = self._quote_cand.get(self._qi(q))
                after = self._attribution_after(q, lim)
                attr_end = after[2] if after is not None else q.outer_end
                self._reported(q.outer_end, lim, ss, tail_of=c, attr_end=attr_end)
        return self._finish()

    def _finish(self) -> list[Suggestion]:
        text = self.text
        cands = sorted(self.cands, key=lambda c: (c.start, -c.end))
        kept: list[Cand] = []
        for c in cands:
            if kept and c.start < kept[-1].end:
                if _BASE_SCORE.get(c.kind, 0.5) > _BASE_SCORE.get(kept[-1].kind, 0.5):
                    kept[-1] = c
                continue
            kept.append(c)
        out: list[Suggestion] = []
        for c in kept:
            a, b = c.start, c.end
            quote = text[a:b]
            st, swhy, demands = stance_mod.classify(quote)
            conds = stance_mod.conditions(quote, a, st, demands)
            spk = c.spk
            score = _BASE_SCORE.get(c.kind, 0.5)
            why = list(c.why)
            if spk is None:
                score -= 0.25
                why.append("speaker:unresolved")
            else:
                why.append(f"speaker:{spk.how}")
                if spk.how in ("pronoun", "role", "document"):
                    score -= 0.05
                if spk.new is not None:
                    score -= 0.05
            if "caveat:default" in swhy:
                score -= 0.05
            why.extend(swhy)
            if conds:
                why.append("condition")
            addressee = self._addressee(a, b, spk)
            new = None
            if spk is not None and spk.new is not None and spk.actor is None:
                new = {"name": spk.new[0], "kind": spk.new[1]}
            out.append(
                Suggestion(
                    start=a,
                    end=b,
                    quote=quote,
                    direct=c.direct,
                    speaker_id=spk.actor if spk is not None else None,
                    stance=st,
                    kind=c.kind,
                    new_speaker=new,
                    anonymous=bool(spk is not None and spk.anon and spk.actor is None and spk.new is None),
                    speaker_mention=spk.mention if spk is not None else "",
                    mention_start=spk.ms if spk is not None else None,
                    mention_end=spk.me if spk is not None else None,
                    addressee_id=addressee,
                    conditions=conds,
                    score=round(max(0.0, min(1.0, score)), 3),
                    why=tuple(dict.fromkeys(why)),
                )
            )
        return out

    def _addressee(self, a: int, b: int, spk: Spk | None) -> int | None:
        text = self.text
        if cues.ADDRESS_NONE_RE.search(text[a:b]):
            return None
        own: set[int] = set()
        if spk is not None and spk.actor is not None:
            own.add(spk.actor)
            act = self.reg.by_id.get(spk.actor)
            seen = 0
            while act is not None and act.affiliation_id is not None and seen < 4:
                own.add(act.affiliation_id)
                act = self.reg.by_id.get(act.affiliation_id)
                seen += 1
        # the subject of a directive, then the parties named inside the statement
        k = bisect.bisect_left(self.mstarts, a)
        found: list[int] = []
        while k < len(self.mentions) and self.mentions[k].start < b:
            m = self.mentions[k]
            for aid in m.ids:
                if aid not in own and aid not in found:
                    found.append(aid)
            k += 1
        found = [x for x in found if self.reg.by_id[x].affiliation_id not in own]
        if len(found) == 1:
            return found[0]
        states = [x for x in found if self.reg.is_state(x)]
        if len(states) == 1:
            return states[0]
        return None


_TRIGGERS = frozenset(
    cues.CLAUSE_VERBS
    | cues.SPEECH_VERBS
    | cues.PARTICIPLES
    | cues.CALLED_VERBS
    | {
        "urged",
        "urges",
        "urging",
        "called",
        "calls",
        "calling",
        "appealed",
        "appeals",
        "pressed",
        "presses",
        "pressing",
        "implored",
        "exhorted",
        "according",
        "vowed",
        "vowing",
        "pledged",
        "pledging",
        "promised",
        "promising",
        "threatened",
        "threatening",
        "refused",
        "refusing",
        "offered",
        "offering",
        "describing",
        "dismissing",
    }
)
_PAREN_ATTR_RE = re.compile(
    r"(?P<pre>[^,;:“”\"]{2,60}),\s+(?P<np>(?:he|she|they|it|[^,;:“”\"]{1,40}?))\s+(?:said|says|argued|argues|insisted|insists|"
    r"added|warned|warns|noted|stressed|claimed|claims|believes|suggested|maintained|maintains|conceded|admitted),\s+"
    r"(?=(?:had|has|have|was|were|is|are|would|will|could|can|must|should|did|does|do|remained|remains|"
    r"might|may)\b)",
    re.I,
)
_ASSERT_VERBS = words(
    "insisted insists insisting argued argues arguing maintained maintains maintaining claimed claims "
    "claiming contended contends asserted asserts stressed stresses stressing"
)
_VOW_VERBS = words(
    "vowed vowing vows pledged pledging pledges promised promising threatened threatening threatens "
    "refused refusing offered offering"
)
_MAIN_VERB_RE = re.compile(
    r"\b(?:"
    + "|".join(sorted(cues.CLAUSE_VERBS | cues.CALLED_VERBS, key=len, reverse=True))
    + r"|urged|urges|called\s+(?:on|upon|for)|calls\s+(?:on|upon|for)|appealed\s+to|pressed)\b",
    re.I,
)
_POST_ATTR_END_RE = re.compile(
    r",\s+(?P<np>(?:he|she|they|it|[^,;:“”\"]{1,60}?))\s+(?:said|says|added|adds|noted|insisted|argued|warned)"
    r"(?:\s+on\s+\w+day)?\s*$",
    re.I,
)


def suggest(text: str, actors: Registry | Sequence[ActorInfo]) -> list[Suggestion]:
    """Suggested statements of `text`, sorted by start, never overlapping.

    `actors` is a `Registry` (build it once and reuse it across articles) or a sequence of
    `ActorInfo` (indexed on the fly; the last few registries are cached).
    """
    if not text:
        return []
    reg = as_registry(actors)
    return _Doc(text, reg).run()
