"""Benchmark of the suggestion engine (statements/suggestions) on the standard workload (prints numbers).

    .venv/bin/python bench/bench_suggestions.py [--workload /work/shared/bench/workload.py] [--n 2000]
                                                [--actors 200] [--repeat 7]

1. One article of about 3,000 characters with a 200-actor registry: the median over 40 workload
   articles of each article's best of --repeat runs (target <= 30 ms on one core).
2. The 2,000 articles of the standard workload (N=2000, seed 42), one `Registry` reused (target
   under a minute), and the same with the registry passed as a plain list of actors (cached).
3. Building the 200-actor `Registry` once.

The workload is generated in memory by importing `workload.py` by path (stdlib only); its
generation time is not counted. The registry holds the workload's speakers and organisations
with realistic aliases, the capitals as aliases of their states, plus filler actors up to --actors.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from statements.suggestions import ENGINE_VERSION, ActorInfo, Registry, suggest  # noqa: E402

DEFAULT_WORKLOAD = ROOT.parent / "shared" / "bench" / "workload.py"


def load_workload(path: Path):
    spec = importlib.util.spec_from_file_location("standard_workload", path)
    mod = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(mod)
    return mod


def registry_actors(n: int) -> list[ActorInfo]:
    """A registry like an analyst's: the workload's people, states (capitals as aliases) and
    organisations, then filler actors with aliases until there are n."""
    people = [
        ("Vladimir Putin", "Russia", ("Putin", "the Russian president", "the Kremlin leader"), "m"),
        ("Olaf Scholz", "Germany", ("Scholz", "the German chancellor"), "m"),
        ("Emmanuel Macron", "France", ("Macron", "the French president"), "m"),
        ("Volodymyr Zelensky", "Ukraine", ("Zelensky", "the Ukrainian president"), "m"),
        ("Recep Tayyip Erdogan", "Turkey", ("Erdogan", "the Turkish president"), "m"),
        ("Giorgia Meloni", "Italy", ("Meloni", "the Italian prime minister"), "f"),
        ("Pedro Sanchez", "Spain", ("Sanchez", "Sánchez", "the Spanish prime minister"), "m"),
        ("Donald Tusk", "Poland", ("Tusk", "the Polish prime minister"), "m"),
        ("Ursula von der Leyen", None, ("von der Leyen", "the Commission president"), "f"),
        ("Jens Stoltenberg", None, ("Stoltenberg", "the NATO secretary-general"), "m"),
        ("Antonio Guterres", None, ("Guterres", "the UN secretary-general"), "m"),
        ("Christine Lagarde", None, ("Lagarde", "the ECB president"), "f"),
        ("Fumio Kishida", "Japan", ("Kishida", "the Japanese prime minister"), "m"),
        ("Narendra Modi", "India", ("Modi", "the Indian prime minister"), "m"),
        ("Luiz Inacio Lula da Silva", "Brazil", ("Lula", "the Brazilian president"), "m"),
    ]
    states = {
        "Russia": "Moscow",
        "Germany": "Berlin",
        "France": "Paris",
        "Ukraine": "Kyiv",
        "Turkey": "Ankara",
        "Italy": "Rome",
        "Spain": "Madrid",
        "Poland": "Warsaw",
        "Japan": "Tokyo",
        "India": "New Delhi",
        "Brazil": "Brasilia",
        "United States": "Washington",
        "Finland": "Helsinki",
        "Portugal": "Lisbon",
        "Czech Republic": "Prague",
        "Austria": "Vienna",
        "Switzerland": "Geneva",
        "Belgium": "Brussels",
    }
    orgs = [
        ("European Commission", ("the Commission", "the European Commission")),
        ("NATO", ("the alliance",)),
        ("United Nations", ("the UN", "the United Nations")),
        ("World Bank", ("the World Bank",)),
        ("International Monetary Fund", ("the IMF", "IMF")),
        ("European Central Bank", ("the central bank", "ECB")),
        ("finance ministry", ("the finance ministry",)),
        ("energy regulator", ("the energy regulator",)),
        ("trade union", ("the trade union", "the union")),
        ("senate committee", ("the senate committee",)),
    ]
    out: list[ActorInfo] = []
    ids: dict[str, int] = {}
    for name, capital in states.items():
        ids[name] = len(out) + 1
        out.append(ActorInfo(ids[name], name, "state", (capital, f"the {name} government"), None, None))
    for name, aliases in orgs:
        out.append(ActorInfo(len(out) + 1, name, "organization", aliases, None, None))
    for name, state, aliases, g in people:
        out.append(ActorInfo(len(out) + 1, name, "person", aliases, ids.get(state) if state else None, g))
    first = [
        "Anna",
        "Ivo",
        "Marta",
        "Pavel",
        "Lucía",
        "Tomás",
        "Inês",
        "Jonas",
        "Helga",
        "Kari",
        "Олег",
        "Νίκος",
        "Åsa",
        "Erik",
        "Mira",
        "Oskar",
        "Rosa",
        "Lars",
        "Petra",
        "Nuno",
    ]
    last = [
        "Kovac",
        "Marten",
        "Drummond",
        "Ferrer",
        "Halvorsen",
        "Solberg",
        "Lind",
        "Ferreiro",
        "Camacho",
        "Berg",
        "Strand",
        "Lunde",
        "Гринько",
        "Βλάχος",
        "Nyström",
        "Albrecht",
        "Okonkwo-Berg",
        "Lund",
        "Basto",
        "Markova",
    ]
    k = 0
    while len(out) < n:
        f, s = first[k % len(first)], last[(k * 7 + k // len(first)) % len(last)]
        name = f"{f} {s} {k}" if k >= len(first) * len(last) else f"{f} {s}"
        out.append(
            ActorInfo(
                len(out) + 1,
                name,
                "person",
                (s, f"the deputy minister {k}"),
                1 + k % len(states),
                "f" if k % 2 else "m",
            )
        )
        k += 1
    return out[:n]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workload", type=Path, default=DEFAULT_WORKLOAD)
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--actors", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=7)
    a = ap.parse_args(argv)

    wl = load_workload(a.workload)
    t0 = time.perf_counter()
    arts = [art["text"] for art in wl.generate(n=a.n)]
    gen = time.perf_counter() - t0
    actors = registry_actors(a.actors)
    print(
        f"suggestion engine {ENGINE_VERSION}; workload: {len(arts)} articles, "
        f"avg {sum(map(len, arts)) / len(arts):.0f} chars (generated in {gen:.1f} s, not counted); "
        f"registry: {len(actors)} actors"
    )

    t0 = time.process_time()
    reg = Registry(actors)
    build = time.process_time() - t0
    print(f"Registry({len(actors)} actors): {build * 1000:.2f} ms CPU, {reg.entries} alias entries")

    # 1. one ~3,000-character article
    suggest(arts[0], reg)  # warm the regex caches
    sample = [t for t in arts if 2700 <= len(t) <= 3300][:40]
    per_article, per_article_cpu = [], []
    for text in sample:
        best = best_cpu = float("inf")
        for _ in range(a.repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            suggest(text, reg)
            best = min(best, time.perf_counter() - t0)
            best_cpu = min(best_cpu, time.process_time() - c0)
        per_article.append(best)
        per_article_cpu.append(best_cpu)
    med = statistics.median(per_article)
    print(
        f"one article (~3,000 chars, {len(sample)} articles, best of {a.repeat} each): median "
        f"{med * 1000:.2f} ms wall, {statistics.median(per_article_cpu) * 1000:.2f} ms CPU; "
        f"max {max(per_article) * 1000:.2f} ms wall  (target <= 30 ms)"
    )

    # 2. the whole workload
    t0, c0 = time.perf_counter(), time.process_time()
    n_sugg = 0
    for text in arts:
        n_sugg += len(suggest(text, reg))
    total, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(
        f"{len(arts)} articles, one Registry: {total:.2f} s wall, {cpu:.2f} s CPU "
        f"({total / len(arts) * 1000:.2f} ms/article, {n_sugg} suggestions)  (target < 60 s)"
    )
    if os.getloadavg()[0] > (os.cpu_count() or 1):
        print(
            f"note: load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores: wall times include "
            f"waiting for the CPU; the CPU times are this process's own"
        )
    t0 = time.perf_counter()
    for text in arts[:200]:
        suggest(text, actors)
    lst = time.perf_counter() - t0
    print(f"200 articles, registry passed as a list of actors (index cached): {lst:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
