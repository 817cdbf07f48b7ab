"""Benchmark of statements/agreement.py on the standard workload (prints numbers; not a test).

    .venv/bin/python bench/bench_agreement.py [--workload /work/shared/bench/workload.py] [--repeat 5]

1. One article, 2 analysts x 200 statements (target < 50 ms for `agreement_report`).
2. A corpus of 2,000 articles, 2 analysts x 25 statements each = 100,000 statements
   (target < 5 s for one pooled `agreement_report`, and the same per article).

Pure in-memory timings: generating the workload and building the `Span`s are timed separately.
From the database the input is one query, e.g.
    rows = Statement.objects.filter(...).values_list("annotator_id", "article_id", "start", "end",
                                                     "stance", "speaker_id")
    spans = [Span(*row) for row in rows]
    lengths = dict(Article.objects.filter(...).annotate(n=Length("text")).values_list("id", "n"))
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from statements.agreement import Span, agreement_report  # noqa: E402


def load(workload: str, n: int, k: int, chars: int) -> tuple[list[Span], dict[int, int]]:
    sys.path.insert(0, str(Path(workload).resolve().parent))
    from workload import generate

    spans: list[Span] = []
    lengths: dict[int, int] = {}
    for art_id, art in enumerate(generate(n=n, k=k, seed=42, chars=chars)):
        lengths[art_id] = len(art["text"])
        for x in art["annotations"]:
            spans.append(Span(x["annotator"], art_id, x["start"], x["end"], x["label"]))
    return spans, lengths


def timed(fn, repeat: int) -> tuple[float, float, object]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times), result


def summary(report) -> str:
    pair = report.pairs[0]
    u = report.unitizing
    per = ", ".join(f"{c} {v.alpha:.3f}" for c, v in u.per_category.items())
    return (
        f"F1 exact {pair.exact.f1:.3f}, overlap {pair.overlap.f1:.3f} ({pair.overlap.matched} matched); "
        f"stance raw {pair.stance.raw:.3f}, kappa {pair.stance.kappa:.3f}; "
        f"stance alpha {report.stance_alpha.alpha:.3f}; "
        f"alpha_U {per}, overall {u.overall:.3f}, any stance {u.any.alpha:.3f}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workload", default="/work/shared/bench/workload.py")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--articles", type=int, default=2000)
    args = ap.parse_args()

    # 1. one article, 2 x 200 statements: on a text 8x the default length (as dense as 25 spans
    #    on a default article), and on a default-length text (much denser, more overlaps)
    for chars in (24000, 3000):
        spans, lengths = load(args.workload, n=1, k=200, chars=chars)
        med, best, report = timed(partial(agreement_report, spans, lengths=lengths), max(args.repeat, 20))
        print(f"one article: {len(spans)} statements, {sum(lengths.values()):,} chars")
        print(f"  agreement_report: median {med * 1000:.1f} ms, best {best * 1000:.1f} ms (target < 50 ms)")
        print(f"  {summary(report)}")

    # 2. the corpus
    t0 = time.perf_counter()
    spans, lengths = load(args.workload, n=args.articles, k=25, chars=3000)
    t_load = time.perf_counter() - t0
    print(
        f"corpus: {len(lengths):,} articles, {len(spans):,} statements, {sum(lengths.values()):,} chars "
        f"(generating the workload and building the Spans: {t_load:.2f} s, not counted)"
    )
    med, best, report = timed(lambda: agreement_report(spans, lengths=lengths), args.repeat)
    print(f"  agreement_report, pooled: median {med:.2f} s, best {best:.2f} s (target < 5 s)")
    print(f"  {summary(report)}")

    by_article: dict[int, list[Span]] = {}
    for s in spans:
        by_article.setdefault(s.article, []).append(s)

    def per_article():
        return [agreement_report(v, lengths={a: lengths[a]}) for a, v in by_article.items()]

    med, best, _ = timed(per_article, max(1, args.repeat // 2))
    print(f"  agreement_report per article (2,000 calls): median {med:.2f} s, best {best:.2f} s")


if __name__ == "__main__":
    main()
