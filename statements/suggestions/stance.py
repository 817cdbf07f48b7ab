"""Stance (codebook 5) and conditions (codebook 6) of one statement, from its text alone.

Tie-break 1: demand > caveat > support. Tie-break 2: a directive (must, should, has to, …) is a
demand only when its subject is another party ("we must" is not; "nobody should" is a caveat).
Tie-break 3 and 4: conditional offers, threats, objections and refusals with no directive are
caveats. Tie-break 5: the speech verb is never looked at here.
"""

from __future__ import annotations

import re

from . import cues
from .model import SuggestedCondition

_WORD_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_CLAUSE_START_RE = re.compile(r"(?:^|[.!?;:,—–]\s*|\b(?:but|and|so|then|yet|or|while|because)\s+)", re.I)
_LEAD_SKIP = frozenset(
    {
        "but",
        "and",
        "so",
        "then",
        "yet",
        "or",
        "now",
        "also",
        "still",
        "that",
        "if",
        "when",
        "because",
        "while",
        "which",
        "who",
    }
)
_ADVERBS = frozenset(
    {
        "also",
        "now",
        "first",
        "still",
        "simply",
        "really",
        "immediately",
        "urgently",
        "therefore",
        "then",
        "finally",
        "clearly",
        "certainly",
        "all",
        "both",
        "too",
    }
)
_SENT_SPLIT_RE = re.compile(r"(?:^|(?<=[.!?:])\s+|\n\s*[\"“‘']?)")
_LET_RE = re.compile(r"(?:^|[.!?;:]\s+|,\s+|\band\s+)let\s+(?!us\b|me\b)\w+\s+\w+", re.I)
_STARTING_POINT_RE = re.compile(
    r"\b(?:starting\s+point|only\s+on\s+paper|broken\s+promises?|worst|dismiss\w*|"
    r"as\s+soon\s+as|stud(?:y|ied|ying)\s+(?:it|the|this)|be\s+studied|consider(?:ing)?\s+(?:it|the|this)|"
    r"examin(?:e|ed|ing)|gift\s+to\s+those)\b",
    re.I,
)


def _subject_before(text: str, pos: int) -> str:
    """First word of the clause that contains pos (its subject, in wire English)."""
    lo = max(0, pos - 160)
    seg = text[lo:pos]
    last = 0
    for m in _CLAUSE_START_RE.finditer(seg):
        if m.end() < len(seg):
            last = m.end()
    words = [w.casefold().replace("’", "'") for w in _WORD_RE.findall(seg[last:])]
    while words and words[0] in _LEAD_SKIP:
        words.pop(0)
    while words and words[0] in _ADVERBS:
        words.pop(0)
    return words[0] if words else ""


def _soft_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in cues.SOFT_NEG_RE.finditer(text)]


def _inside(spans: list[tuple[int, int]], a: int, b: int) -> bool:
    return any(a < e and s < b for s, e in spans)


def classify(text: str) -> tuple[str, tuple[str, ...], list[tuple[int, int, str]]]:
    """(stance, cues that fired, demanded actions as (start, end, subject) offsets into text)."""
    why: list[str] = []
    demands: list[tuple[int, int, str]] = []
    demand = caveat = support = False
    for m in cues.MODAL_DIRECTIVE_RE.finditer(text):
        subj = _subject_before(text, m.start())
        inv = re.match(r"\s+(we|i|you|they|he|she|it)\b", text[m.end() :], re.I)
        if inv and (
            subj in ("why", "how", "what", "when", "where", "who", "")
            or subj == m.group(1).split()[0].casefold()
        ):
            subj = inv.group(1).casefold()  # a question: "why should we pay?"
        modal = " ".join(m.group(1).split()).casefold()
        if subj in cues.NEG_SUBJECTS:
            caveat = True
            why.append(f"caveat:{subj} {modal}")
        elif subj in ("we", "i"):
            why.append(f"self:{subj} {modal}")
        else:
            demand = True
            why.append(f"demand:{modal}")
            demands.append((m.end(), _clause_end(text, m.end()), subj))
    for m in cues.DEMAND_RE.finditer(text):
        subj = _subject_before(text, m.start())
        if subj in cues.NEG_SUBJECTS:
            caveat = True  # "nobody should expect us to …" is the speaker's refusal
            why.append(f"caveat:{subj} …")
            continue
        demand = True
        why.append("demand:" + " ".join(m.group(0).split()[:3]).casefold())
        tail = re.search(r"\bto\s+", text[m.start() : m.end() + 1])
        if tail:
            s = m.start() + tail.end()
            demands.append((s, _clause_end(text, s), ""))
    if _LET_RE.search(text):
        demand = True
        why.append("demand:let")
    for sm in _SENT_SPLIT_RE.finditer(text):
        w = _WORD_RE.match(text, sm.end())
        if w and w.group(0).casefold() in cues.IMPERATIVE_LEAD and w.group(0)[0].isupper():
            after = re.match(r"[\s,]+", text[w.end() :])
            nxt_word = _WORD_RE.match(text, w.end() + after.end()) if after else None
            if nxt_word and nxt_word.group(0).casefold() in cues.IMPERATIVE_START:
                w = nxt_word  # "Just keep them away", "Please open the crossing"
        led = w is not None and w.start() > sm.end()  # after a lead adverb, lower case is fine
        if w and w.group(0).casefold() in cues.IMPERATIVE_START and (w.group(0)[0].isupper() or led):
            nxt = _WORD_RE.search(text, w.end())
            if w.group(0).casefold() == "let" and nxt is not None and nxt.group(0).casefold() in ("me", "us"):
                continue  # "Let me start with …": the speaker's own act, no directive
            if nxt is None or nxt.group(0).casefold() not in ("is", "are", "was", "were", "has", "had", "of"):
                demand = True
                why.append("demand:imperative " + w.group(0).casefold())
                demands.append((w.start(), _clause_end(text, w.start()), ""))
    soft = _soft_spans(text)
    for m in cues.CAVEAT_RE.finditer(text):
        if _inside(soft, m.start(), m.end()):
            continue
        if (
            m.group(0).casefold() == "but"
            and not text[: m.start()].strip(" \"“‘'—–-…")
            and not re.match(r"\s+(?:only|not|no|never|just|merely|still|also)\b", text[m.end() :], re.I)
        ):
            continue  # a resumed quote opening with "but" contrasts with the segment before it
        if m.group(0).casefold() == "but" and re.match(r"\s+also\b", text[m.end() :]):
            continue
        caveat = True
        why.append("caveat:" + " ".join(m.group(0).split()).casefold())
        break
    hedge = None if caveat else _STARTING_POINT_RE.search(text)
    if hedge is not None:
        caveat = True
        why.append("caveat:" + hedge.group(0).casefold())
    pos = cues.SUPPORT_RE.search(text) or cues.POSITIVE_IDIOM_RE.search(text)
    if pos:
        m = pos
        support = True
        why.append("support:" + " ".join(m.group(0).split()).casefold())
    elif soft:
        support = True
        why.append("support:reassurance")
    else:
        commit = cues.COMMIT_RE.search(text)
        if commit:
            support = True
            why.append("support:commitment " + " ".join(commit.group(0).split()[:1]).casefold())
    if demand:
        stance = "demand"
    elif caveat:
        stance = "caveat"
    elif support:
        stance = "support"
    else:
        # support needs positive evidence (agreement, welcome, commitment, help: codebook 5); a
        # position with neither that nor a directive qualifies, reserves or objects: caveat
        stance = "caveat"
        why.append("caveat:default")
    return stance, tuple(dict.fromkeys(why)), demands


def _clause_end(text: str, pos: int) -> int:
    m = cues.CLAUSE_END_RE.search(text, pos)
    end = m.start() if m else len(text)
    # a clause that ends on a closing mark keeps it out
    while end > pos and text[end - 1] in " \t\n":
        end -= 1
    return end


def conditions(
    text: str, offset: int, stance: str, demands: list[tuple[int, int, str]]
) -> tuple[SuggestedCondition, ...]:
    """Explicit conditions (if, only if, provided, once, until, before, as long as, …) and, for a
    demand, the action demanded; evidence spans are absolute offsets inside the statement."""
    out: list[SuggestedCondition] = []
    seen: set[tuple[int, int]] = set()
    soft = _soft_spans(text)
    for m in cues.CONDITION_RE.finditer(text):
        if _inside(soft, m.start(), m.end()):
            continue
        s = m.start()
        e = _clause_end(text, m.end())
        words = _WORD_RE.findall(text[m.end() : e])
        if len(words) < 2:
            continue
        desc = _tidy(text[s:e])
        if (s, e) not in seen:
            seen.add((s, e))
            out.append(SuggestedCondition(desc, offset + s, offset + e))
    if stance == "demand":
        for s, e, _subj in demands:
            while s < e and text[s] in " \t":
                s += 1
            if e - s < 3 or any(a <= s < b for a, b in seen):
                continue
            words = _WORD_RE.findall(text[s:e])
            if not words:
                continue
            seen.add((s, e))
            out.append(SuggestedCondition(_tidy(text[s:e]), offset + s, offset + e))
    out.sort(key=lambda c: c.start if c.start is not None else 0)
    return tuple(out[:4])


def _tidy(s: str) -> str:
    s = " ".join(s.replace("\n", " ").split()).strip(" ,;:“”\"'‘’")
    return s[:1].upper() + s[1:] if s else s
