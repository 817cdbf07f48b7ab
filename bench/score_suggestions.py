"""Score the suggestion engine against the hand-annotated development set (prints numbers).

    .venv/bin/python bench/score_suggestions.py [--verbose] [--split all|tune|heldout|fresh|unseen|blind]
                                                [--json] [--gold bench/devset/suggestions/gold.json]

Spans are matched one-to-one: *exact* (same start and end) and *overlap* (character Jaccard >= 0.5,
greedy, best Jaccard first, ties in text order). On the overlap-matched pairs: speaker accuracy
(actor id; "anonymous"; a new speaker by name, case-insensitive) and stance accuracy. A
*distractor error* is a suggestion that overlaps a gold distractor and matches no gold statement.
Per-rule precision is reported by the suggestions' `kind`. Scores are given for all articles, the
tuning split (01-10), the held-out split (11-14), the fresh split (15-18, written after the rules
were frozen) and 11-18 together, so the numbers show generalisation. A gold file may also carry a
"blind" split (bench/devset/suggestions_blind/gold.json: articles written by someone who never saw
the engine); the default report shows only the splits that have articles.

Stdlib only; `score_devset()` is imported by tests/test_suggestions_engine.py.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from statements.suggestions import ActorInfo, Registry, suggest  # noqa: E402

STANCE_CUES = ("demand", "caveat", "support", "self")
GOLD = ROOT / "bench" / "devset" / "suggestions" / "gold.json"


def load_devset(path: Path = GOLD) -> tuple[list[ActorInfo], list[dict]]:
    """(actors, articles) where each article dict has file, text, statements, distractors, split."""
    data = json.loads(path.read_text(encoding="utf-8"))
    actors = [
        ActorInfo(
            a["id"], a["name"], a["kind"], tuple(a.get("aliases", ())), a.get("affiliation"), a.get("gender")
        )
        for a in data["actors"]
    ]
    split_of = {f: name for name, files in data.get("split", {}).items() for f in files}
    arts = []
    for art in data["articles"]:
        text = (path.parent / art["file"]).read_text(encoding="utf-8")
        arts.append({**art, "text": text, "split": split_of.get(art["file"], "tune")})
    return actors, arts


def jaccard(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = min(a[1], b[1]) - max(a[0], b[0])
    if inter <= 0:
        return 0.0
    return inter / (max(a[1], b[1]) - min(a[0], b[0]))


def match_overlap(gold: list[dict], sugg: list[dict], threshold: float = 0.5) -> list[tuple[int, int, float]]:
    pairs = []
    for i, g in enumerate(gold):
        for j, s in enumerate(sugg):
            jac = jaccard((g["start"], g["end"]), (s["start"], s["end"]))
            if jac >= threshold:
                pairs.append((-jac, g["start"], s["start"], i, j))
    pairs.sort()
    used_g, used_s, out = set(), set(), []
    for negj, _, _, i, j in pairs:
        if i in used_g or j in used_s:
            continue
        used_g.add(i)
        used_s.add(j)
        out.append((i, j, -negj))
    return out


def speaker_ok(gold_speaker, s: dict) -> bool:
    if gold_speaker == "anonymous":
        return bool(s["anonymous"])
    if isinstance(gold_speaker, dict):
        ns = s.get("new_speaker") or {}
        return (ns.get("name") or "").casefold() == gold_speaker["new"].casefold()
    return s["speaker"] == gold_speaker


def prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def score_articles(actors: list[ActorInfo], arts: list[dict], registry: Registry | None = None) -> dict:
    reg = registry or Registry(actors)
    tot = Counter()
    kinds_tp, kinds_n = Counter(), Counter()
    errors: list[str] = []
    elapsed = 0.0
    for art in arts:
        text = art["text"]
        t0 = time.perf_counter()
        sugg = [s.as_dict() for s in suggest(text, reg)]
        elapsed += time.perf_counter() - t0
        gold = art["statements"]
        exact_g = {(g["start"], g["end"]) for g in gold}
        tot["gold"] += len(gold)
        tot["pred"] += len(sugg)
        tot["exact"] += sum((s["start"], s["end"]) in exact_g for s in sugg)
        pairs = match_overlap(gold, sugg)
        tot["overlap"] += len(pairs)
        matched_s = {j for _, j, _ in pairs}
        matched_g = {i for i, _, _ in pairs}
        name = art["file"]
        for i, j, _jac in pairs:
            g, s = gold[i], sugg[j]
            kinds_tp[s["kind"]] += 1
            if speaker_ok(g["speaker"], s):
                tot["speaker"] += 1
            else:
                got = (
                    s["speaker"]
                    if s["speaker"] is not None
                    else ("anonymous" if s["anonymous"] else (s["new_speaker"] or {}).get("name"))
                )
                errors.append(
                    f"{name}: SPEAKER gold={g['speaker']} got={got} ({s['speaker_mention']!r}) "
                    f"[{s['kind']}] {g['quote'][:70]!r}"
                )
            if g["stance"] == s["stance"]:
                tot["stance"] += 1
            else:
                errors.append(
                    f"{name}: STANCE gold={g['stance']} got={s['stance']} {g['quote'][:70]!r} "
                    f"cues={[w for w in s['why'] if w.split(':')[0] in STANCE_CUES]}"
                )
            if (g["start"], g["end"]) != (s["start"], s["end"]):
                errors.append(
                    f"{name}: BOUNDS gold={g['quote'][:80]!r}\n{' ' * (len(name) + 16)}"
                    f"got={s['quote'][:80]!r}"
                )
            if g.get("direct") == s["direct"]:
                tot["direct"] += 1
            if bool(g.get("conditions")) == bool(s["conditions"]):
                tot["cond_presence"] += 1
            if g.get("addressee") == s["addressee"]:
                tot["addressee"] += 1
        for j, s in enumerate(sugg):
            kinds_n[s["kind"]] += 1
            if j not in matched_s:
                hit = [
                    d for d in art.get("distractors", ()) if d["start"] < s["end"] and s["start"] < d["end"]
                ]
                if hit:
                    tot["distractor_errors"] += 1
                    errors.append(f"{name}: DISTRACTOR {s['quote'][:70]!r} [{s['kind']}]")
                else:
                    errors.append(f"{name}: FALSE POSITIVE {s['quote'][:80]!r} [{s['kind']}]")
        for i, g in enumerate(gold):
            if i not in matched_g:
                errors.append(f"{name}: MISSED {g['quote'][:90]!r}")
        tot["distractors"] += len(art.get("distractors", ()))
    pe, re_, fe = prf(tot["exact"], tot["pred"], tot["gold"])
    po, ro, fo = prf(tot["overlap"], tot["pred"], tot["gold"])
    m = tot["overlap"] or 1
    return {
        "articles": len(arts),
        "gold": tot["gold"],
        "suggested": tot["pred"],
        "exact": {"precision": pe, "recall": re_, "f1": fe, "tp": tot["exact"]},
        "overlap": {"precision": po, "recall": ro, "f1": fo, "tp": tot["overlap"]},
        "speaker_accuracy": tot["speaker"] / m,
        "stance_accuracy": tot["stance"] / m,
        "direct_flag_accuracy": tot["direct"] / m,
        "condition_presence_accuracy": tot["cond_presence"] / m,
        "addressee_accuracy": tot["addressee"] / m,
        "distractors": tot["distractors"],
        "distractor_errors": tot["distractor_errors"],
        "per_kind_precision": {
            k: {"precision": kinds_tp[k] / kinds_n[k], "n": kinds_n[k]} for k in sorted(kinds_n)
        },
        "seconds": elapsed,
        "errors": errors,
    }


def score_devset(split: str = "all", path: Path = GOLD) -> dict:
    actors, arts = load_devset(path)
    if split != "all":
        arts = [a for a in arts if a["split"] == split]
    return score_articles(actors, arts)


def _print(title: str, r: dict) -> None:
    print(f"== {title}: {r['articles']} articles, {r['gold']} gold statements, {r['suggested']} suggested")
    for k in ("exact", "overlap"):
        x = r[k]
        print(f"   spans {k:<8} P {x['precision']:.3f}  R {x['recall']:.3f}  F1 {x['f1']:.3f}")
    print(
        f"   on overlap-matched: speaker {r['speaker_accuracy']:.3f}  stance {r['stance_accuracy']:.3f}  "
        f"direct flag {r['direct_flag_accuracy']:.3f}  addressee {r['addressee_accuracy']:.3f}  "
        f"conditions present/absent {r['condition_presence_accuracy']:.3f}"
    )
    print(
        f"   distractor errors {r['distractor_errors']} (of {r['distractors']} distractors); "
        f"engine time {r['seconds'] * 1000:.1f} ms"
    )


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gold", type=Path, default=GOLD)
    ap.add_argument(
        "--split",
        choices=("all", "tune", "heldout", "fresh", "unseen", "blind"),
        default=None,
        help="only this split (default: every split that has articles)",
    )
    ap.add_argument("--verbose", "-v", action="store_true", help="list every error")
    ap.add_argument("--json", action="store_true", help="print the report as JSON")
    a = ap.parse_args(argv)
    actors, arts = load_devset(a.gold)
    present = {x["split"] for x in arts}
    splits = (
        [a.split]
        if a.split
        else ["all"]
        + [sp for sp in ("tune", "heldout", "fresh", "blind") if sp in present]
        + (["unseen"] if "tune" in present and present - {"tune"} else [])
    )
    reports = {}
    for sp in splits:
        sel = (
            arts
            if sp == "all"
            else [x for x in arts if x["split"] == sp or (sp == "unseen" and x["split"] != "tune")]
        )
        reports[sp] = score_articles(actors, sel)
    if a.json:
        print(
            json.dumps(
                {
                    k: {kk: vv for kk, vv in v.items() if a.verbose or kk != "errors"}
                    for k, v in reports.items()
                },
                indent=1,
            )
        )
        return 0
    names = {
        "all": "all articles",
        "tune": "tuning split (01-10)",
        "heldout": "held-out split (11-14)",
        "fresh": "fresh held-out split (15-18)",
        "unseen": "everything but the tuning split (11-18)",
        "blind": "blind split (written without seeing the engine)",
    }
    for sp in splits:
        _print(names[sp], reports[sp])
    first = reports[splits[0]]
    print(
        "   per-rule precision (overlap):",
        ", ".join(f"{k} {v['precision']:.2f} ({v['n']})" for k, v in first["per_kind_precision"].items()),
    )
    if a.verbose:
        by_kind = defaultdict(list)
        for e in first["errors"]:
            by_kind[e.split(": ", 1)[1].split(" ", 1)[0]].append(e)
        print(f"\n{len(first['errors'])} errors ({splits[0]}):")
        for e in first["errors"]:
            print("  " + e)
    return 0


if __name__ == "__main__":
    sys.exit(main())
