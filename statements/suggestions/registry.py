"""Actor registry index and mention finding.

Matching works on word tokens, case-insensitively (`str.casefold`) and, as a fallback, without
diacritics (wire copy often drops them: "Nystrom" for "Nyström"), in any script. Apostrophes are
normalised (’ and ' are the same), a possessive *'s* is its own token, so "Tarsenia’s" mentions
"Tarsenia" and the alias "the League's council" matches "the League’s council".
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from .model import ActorInfo

_TOKEN_RE = re.compile(r"[^\W_]+(?:['’\-‐‑][^\W_]+)*(?:['’][sS](?![^\W_]))?")
_POSS = "'s"

PERSON_KINDS = frozenset({"person", "individual", "people"})
STATE_KINDS = frozenset({"state", "country", "government"})

# Words that do not make an alias a description ("the League of Northern States" is a name).
_NAME_GLUE = frozenset(
    {
        "the",
        "of",
        "for",
        "and",
        "de",
        "la",
        "le",
        "del",
        "della",
        "von",
        "van",
        "der",
        "den",
        "du",
        "da",
        "di",
        "al",
        "el",
        "bin",
        "ibn",
        "'s",
        "on",
        "in",
        "y",
        "e",
    }
)
_PARTICLES = frozenset(
    {
        "von",
        "van",
        "der",
        "den",
        "de",
        "del",
        "della",
        "da",
        "di",
        "du",
        "la",
        "le",
        "al",
        "el",
        "bin",
        "ibn",
        "ter",
        "ten",
        "zu",
    }
)


@lru_cache(maxsize=65536)
def fold(token: str) -> str:
    """Case- and apostrophe-normalised form of a token."""
    t = token.casefold().replace("’", "'").replace("‐", "-").replace("‑", "-")
    return t


@lru_cache(maxsize=65536)
def fold_plain(token: str) -> str:
    """`fold` without diacritics (the fallback key)."""
    t = unicodedata.normalize("NFKD", fold(token))
    return "".join(ch for ch in t if not unicodedata.combining(ch))


@dataclass(slots=True)
class Token:
    start: int
    end: int
    text: str
    key: str  # fold(text)
    cap: bool  # starts with an upper-case (or uncased) letter
    poss: bool = False  # the possessive marker token "'s"


def tokenize(text: str) -> list[Token]:
    out: list[Token] = []
    append = out.append
    fold_ = fold
    for m in _TOKEN_RE.finditer(text):
        s, e = m.span()
        w = m.group()
        c = w[0]
        cap = c.isupper() or (c.isalpha() and not c.islower())
        if len(w) > 2 and w[-1] in "sS" and w[-2] in "'’":
            append(Token(s, e - 2, w[:-2], fold_(w[:-2]), cap))
            append(Token(e - 2, e, w[-2:], _POSS, False, True))
        else:
            append(Token(s, e, w, fold_(w), cap))
    return out


@lru_cache(maxsize=16384)
def _alias_info(alias: str) -> tuple[tuple[str, ...], bool]:
    """(token keys, is a proper name) of an alias; a name is "Kovac" or "the League", a description
    is "the foreign minister"."""
    toks = tokenize(unicodedata.normalize("NFC", alias))
    content = [t for t in toks if t.key not in _NAME_GLUE]
    is_name = bool(content) and all(t.cap or not t.text[0].isalpha() for t in content)
    return tuple(t.key for t in toks), is_name


def alias_keys(alias: str) -> tuple[str, ...]:
    return _alias_info(alias)[0]


def _is_name(alias: str) -> bool:
    return _alias_info(alias)[1]


@dataclass(frozen=True, slots=True)
class Entry:
    keys: tuple[str, ...]
    ids: tuple[int, ...]
    is_name: bool
    derived: bool  # surname derived from the name, not given by the registry


@dataclass(slots=True)
class Mention:
    start: int
    end: int
    ids: tuple[int, ...]
    is_name: bool
    poss: bool  # followed by a possessive 's
    tok: int  # index of the first token
    tok_end: int  # index after the last token


class Registry:
    """The actor registry, indexed once and reusable across articles (`suggest(text, registry)`)."""

    def __init__(self, actors: Iterable[ActorInfo]):
        self.actors: tuple[ActorInfo, ...] = tuple(actors)
        self.by_id: dict[int, ActorInfo] = {a.id: a for a in self.actors}
        grouped: dict[tuple[str, ...], dict[str, object]] = {}

        def add(keys: tuple[str, ...], aid: int, is_name: bool, derived: bool) -> None:
            if not keys:
                return
            g = grouped.setdefault(keys, {"ids": [], "is_name": is_name, "derived": derived})
            ids = g["ids"]
            assert isinstance(ids, list)
            if aid not in ids:
                ids.append(aid)
            if not derived:
                g["derived"] = False
                g["is_name"] = bool(g["is_name"]) or is_name

        explicit: set[tuple[str, ...]] = set()
        for a in self.actors:
            for s in (a.name, *a.aliases):
                if not s or not s.strip():
                    continue
                k = alias_keys(s)
                explicit.add(k)
                add(k, a.id, _is_name(s), False)
                if k and k[0] == "the" and len(k) > 1 and _is_name(s):
                    add(k[1:], a.id, True, False)  # "the League" -> "League Secretary-General …"
        # surnames of people: "Anna Kovac" -> "Kovac"; "Ursula von der Leyen" -> "von der Leyen", "Leyen"
        for a in self.actors:
            if a.kind.casefold() not in PERSON_KINDS:
                continue
            toks = alias_keys(a.name)
            if len(toks) < 2:
                continue
            cands = {toks[-1:]}
            for i, t in enumerate(toks[1:], 1):
                if t in _PARTICLES:
                    cands.add(toks[i:])
                    break
            for c in cands:
                if c in explicit or len(c[-1]) < 2:
                    continue
                add(c, a.id, True, True)
        # two tries of token keys (exact, then without diacritics); a node's None key holds the entry
        self._exact: dict = {}
        self._plain: dict = {}
        self.entries = 0
        for keys, g in grouped.items():
            ids = g["ids"]
            assert isinstance(ids, list)
            e = Entry(keys, tuple(ids), bool(g["is_name"]), bool(g["derived"]))
            for trie, ks in ((self._exact, keys), (self._plain, tuple(fold_plain(k) for k in keys))):
                node = trie
                for key in ks:
                    node = node.setdefault(key, {})
                if None not in node:
                    node[None] = e
            self.entries += 1
        self.max_len = max((len(k) for k in grouped), default=1)
        # role heads of descriptive aliases and organisation names: "minister" -> {Kovac, …}
        self.heads: dict[str, list[tuple[int, frozenset[str]]]] = {}
        for a in self.actors:
            for s in (a.name, *a.aliases):
                k = alias_keys(s or "")
                if not k:
                    continue
                if _is_name(s) and a.kind.casefold() in PERSON_KINDS:
                    continue
                mods = frozenset(x for x in k[:-1] if x not in _NAME_GLUE)
                self.heads.setdefault(k[-1], []).append((a.id, mods))
        self.gender: dict[int, str | None] = {a.id: _gender(a.gender) for a in self.actors}

    def is_person(self, aid: int) -> bool:
        a = self.by_id.get(aid)
        return a is not None and a.kind.casefold() in PERSON_KINDS

    def is_state(self, aid: int) -> bool:
        a = self.by_id.get(aid)
        return a is not None and a.kind.casefold() in STATE_KINDS

    def find_mentions(self, tokens: Sequence[Token]) -> list[Mention]:
        """Longest registry matches, left to right, never overlapping."""
        out: list[Mention] = []
        n = len(tokens)
        i = 0
        exact, plain = self._exact, self._plain
        while i < n:
            best: Entry | None = None
            best_len = 0
            for trie, plain_keys in ((exact, False), (plain, True)):
                node: dict | None = trie
                j = i
                while j < n and node is not None:
                    tk = tokens[j]
                    if j > i and tk.start - tokens[j - 1].end > 2:
                        break  # the tokens of one name are separated by a space or a hyphen only
                    node = node.get(fold_plain(tk.key) if plain_keys else tk.key)
                    if node is None:
                        break
                    j += 1
                    e = node.get(None)
                    if e is not None and j - i > best_len:
                        best, best_len = e, j - i
                if best is not None:
                    break
            if best is None:
                i += 1
                continue
            last = tokens[i + best_len - 1]
            poss = i + best_len < n and tokens[i + best_len].poss and tokens[i + best_len].start == last.end
            out.append(Mention(tokens[i].start, last.end, best.ids, best.is_name, poss, i, i + best_len))
            i += best_len
        return out


def _gender(g: str | None) -> str | None:
    if not g:
        return None
    g = g.strip().casefold()
    if g[:1] in ("f", "w") or g in ("she", "her"):
        return "f"
    if g[:1] == "m" or g in ("he", "him"):
        return "m"
    return None


_CACHE: dict[tuple[ActorInfo, ...], Registry] = {}


def as_registry(actors: Registry | Sequence[ActorInfo]) -> Registry:
    """A `Registry` as is, or one built from a sequence of actors (the last few are cached, so a
    caller that passes the same list for every article indexes it once)."""
    if isinstance(actors, Registry):
        return actors
    key = tuple(actors)
    try:
        reg = _CACHE.get(key)
    except TypeError:  # actors that are not hashable: index them every time
        return Registry(key)
    if reg is None:
        reg = Registry(key)
        if len(_CACHE) >= 8:
            with contextlib.suppress(StopIteration, KeyError, RuntimeError):  # another thread got there first
                _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = reg
    return reg
