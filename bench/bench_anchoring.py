"""Benchmark of statements/anchoring.py (prints numbers; not a test).

    .venv/bin/python bench/bench_anchoring.py [--chars 50000] [--spans 500] [--repeat 7] [--seed 14]

A deterministic (seeded) article of ~50,000 characters in paragraphs, with 500 spans (statements
and condition evidence, some nested or overlapping). Then

1. an **edit**: passages inserted, deleted and changed (typo fixes, words inserted inside spans,
   a sentence deleted) and one paragraph moved; re-anchored with `remap`
   (target: <= 200 ms for the 500 spans);
2. a **replacement**: the same new text given as unknown provenance; re-anchored with `reanchor`;
3. the worst case: the text replaced by an unrelated article of the same vocabulary (every span
   is searched for everywhere and orphaned), in both modes;
4. the edited text with CRLF line endings (every line differs from the old one), with `remap`.

Prints the median wall time over `--repeat` runs (and the diff alone), and how many spans ended in
each method. Pure in-memory; no database.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from statements.anchoring import Anchor, Placement, diff_opcodes, reanchor, remap  # noqa: E402

VOCABULARY = (
    "the minister said talks would resume next week we will not accept any precondition "
    "officials from both delegations declined to comment on timetable ceasefire must hold before "
    "sanctions are eased diplomats expect first draft of agreement by end month opposition leader "
    "called plan betrayal protesters gathered in capital police rally peaceful foreign ministry "
    "spokesman envoy summit negotiations withdrawal troops border humanitarian corridor aid convoy "
    "security council resolution vote veto delegation president prime government statement"
)
WORDS = VOCABULARY.split()


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 24))]
    if rng.random() < 0.3:
        words.insert(rng.randint(1, len(words) - 1), f'"{rng.choice(WORDS)} {rng.choice(WORDS)}"')
    if rng.random() < 0.1:
        words.append(rng.choice(["🙂", "🇺🇦", "€", "—", "Genève"]))
    return " ".join(words).capitalize() + rng.choice([".", ".", ".", "?", ";"])


def article(rng: random.Random, chars: int) -> list[str]:
    paragraphs: list[str] = []
    total = 0
    while total < chars:
        p = " ".join(sentence(rng) for _ in range(rng.randint(2, 6)))
        paragraphs.append(p)
        total += len(p) + 2
    return paragraphs


def spans_of(rng: random.Random, text: str, n: int) -> list[Anchor]:
    """n spans on word boundaries, 15 to 250 characters; every fifth nested in the previous one."""
    starts = [i for i in range(len(text)) if (i == 0 or text[i - 1] == " ") and not text[i].isspace()]
    spans: list[Anchor] = []
    while len(spans) < n:
        if spans and len(spans) % 5 == 0:  # condition evidence inside its statement
            outer = spans[-1]
            inner = [s for s in starts if outer.start <= s < outer.end - 5]
            start = rng.choice(inner)
            end = min(outer.end, start + rng.randint(5, 60))
            key: object = ("condition", len(spans))
        else:
            start = rng.choice(starts)
            end = min(len(text), start + rng.randint(15, 250))
            key = len(spans)
        while end < len(text) and not text[end].isspace():
            end += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            spans.append(Anchor(key, start, end, text[start:end]))
    return spans


def edit(rng: random.Random, paragraphs: list[str]) -> str:
    """Several inserted, deleted and changed passages, and one moved paragraph."""
    ps = list(paragraphs)
    for _ in range(3):  # inserted paragraphs
        ps.insert(rng.randrange(len(ps)), "UPDATE: " + " ".join(sentence(rng) for _ in range(3)))
    for _ in range(2):  # deleted sentences
        k = rng.randrange(len(ps))
        parts = ps[k].split(". ")
        if len(parts) > 1:
            del parts[rng.randrange(len(parts))]
            ps[k] = ". ".join(parts)
    for _ in range(8):  # changed words: typo fixes and insertions
        k = rng.randrange(len(ps))
        words = ps[k].split(" ")
        i = rng.randrange(len(words))
        words[i] = words[i][::-1] if rng.random() < 0.5 else words[i] + " indeed"
        ps[k] = " ".join(words)
    del ps[rng.randrange(len(ps))]  # a deleted paragraph
    moved = ps.pop(rng.randrange(len(ps) // 2))  # the moved paragraph
    ps.insert(rng.randrange(len(ps) // 2, len(ps)), moved)
    return "\n\n".join(ps)


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def summary(placements: Sequence[Placement]) -> str:
    counts: Counter[str] = Counter(p.method for p in placements)
    changed = sum(p.changed for p in placements)
    ambiguous = sum(p.ambiguous for p in placements)
    order = ["unchanged", "diff", "exact-near", "exact-context", "fuzzy", "orphan"]
    parts = [f"{m}={counts[m]}" for m in order if counts[m]]
    return ", ".join(parts) + f" (changed={changed}, ambiguous orphans={ambiguous})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=50_000)
    parser.add_argument("--spans", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    paragraphs = article(rng, args.chars)
    old = "\n\n".join(paragraphs)
    spans = spans_of(rng, old, args.spans)
    new = edit(rng, paragraphs)
    print(f"article: {len(old):,} characters, {len(paragraphs)} paragraphs, {len(spans)} spans")
    print(f"edited:  {len(new):,} characters")

    ops = diff_opcodes(old, new)
    print(f"diff:    {sum(op[0] != 'equal' for op in ops)} changed blocks")
    print(f"  diff_opcodes       median {median_ms(lambda: diff_opcodes(old, new), args.repeat):7.1f} ms")
    edit_ms = median_ms(lambda: remap(old, new, spans), args.repeat)
    print(f"  remap (edit)       median {edit_ms:7.1f} ms   target <= 200 ms")
    print(f"    {summary(remap(old, new, spans))}")
    replace_ms = median_ms(lambda: reanchor(old, new, spans), args.repeat)
    print(f"  reanchor (replace) median {replace_ms:7.1f} ms")
    print(f"    {summary(reanchor(old, new, spans))}")
    other = "\n\n".join(article(random.Random(args.seed + 1), args.chars))
    runs = min(3, args.repeat)
    for name, fn in (("reanchor", reanchor), ("remap", remap)):
        ms = median_ms(partial(fn, old, other, spans), runs)
        print(f"  {name}, unrelated text (worst case) median {ms:7.1f} ms")
        print(f"    {summary(fn(old, other, spans))}")
    crlf = new.replace("\n", "\r\n")
    print(f"  remap, CRLF text   median {median_ms(lambda: remap(old, crlf, spans), args.repeat):7.1f} ms")
    print(f"    {summary(remap(old, crlf, spans))}")


if __name__ == "__main__":
    main()
