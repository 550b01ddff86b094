"""Search quality per kind of query: hit@1, hit@5 and MRR@10 over tests/data/search_quality.tsv.

Each row of the table is what a coder types and the codes a certified coder would accept for it
(verified against the public code sets by tests/test_terminology_data.py). Run by `make bench` on
its database of the public code sets, once per backend; prints a table per category and overall
and adds it to bench/quality.json. `--misses` also prints each case missed at 5 (or not first) with
the top 5 it found, `--category NAME` scores one category only (neither writes quality.json).
"""

import argparse
import csv
import json
import os
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coderef.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from codes.models import Code  # noqa: E402
from codes.search import search  # noqa: E402

TABLE = ROOT / "tests" / "data" / "search_quality.tsv"
RESULTS = ROOT / "bench" / "quality.json"
DEPTH = 10


@dataclass(frozen=True)
class Case:
    category: str
    query: str
    acceptable: frozenset[str]


def load_cases() -> list[Case]:
    with TABLE.open(encoding="utf-8", newline="") as file:
        return [
            Case(row["category"], row["query"], frozenset(row["acceptable"].split()))
            for row in csv.DictReader(file, delimiter="\t")
        ]


def found_for(case: Case) -> list[str]:
    """The top DEPTH codes search finds for the case's query."""
    return [hit.code.code for hit in search(case.query, limit=DEPTH).hits]


def rank_of(case: Case, codes: list[str]) -> int | None:
    """The 1-based position of the first acceptable code among `codes`, or None."""
    return next((i for i, code in enumerate(codes, start=1) if code in case.acceptable), None)


def scores(ranks: list[int | None]) -> dict[str, float]:
    n = len(ranks)
    return {
        "cases": n,
        "hit@1": round(sum(1 for r in ranks if r == 1) / n, 3),
        "hit@5": round(sum(1 for r in ranks if r is not None and r <= 5) / n, 3),
        "mrr@10": round(sum(1 / r for r in ranks if r is not None) / n, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="print each case not first")
    parser.add_argument("--category", help="score this category only")
    args = parser.parse_args()
    if Code.objects.count() < 100_000:
        raise SystemExit("quality: the database is not bench-sized; run `make bench`")
    by_category: dict[str, list[int | None]] = defaultdict(list)
    misses: dict[str, list[str]] = defaultdict(list)
    for case in load_cases():
        if args.category and case.category != args.category:
            continue
        codes = found_for(case)
        rank = rank_of(case, codes)
        by_category[case.category].append(rank)
        if rank is None or rank > 5:
            misses[case.category].append(case.query)
        if args.misses and rank != 1:
            print(
                f"{case.category:<10} {'-' if rank is None else rank:>2}  {case.query!r}: "
                f"wants {' '.join(sorted(case.acceptable))}, found {' '.join(codes[:5])}"
            )
    table = {name: scores(ranks) for name, ranks in sorted(by_category.items())}
    table["overall"] = scores([rank for ranks in by_category.values() for rank in ranks])
    backend = connection.vendor
    print(f"\n{backend}: search quality over {TABLE.relative_to(ROOT)}")
    print(f"{'category':<10}{'cases':>7}{'hit@1':>8}{'hit@5':>8}{'MRR@10':>8}")
    for name, row in table.items():
        print(
            f"{name:<10}{row['cases']:>7}{row['hit@1']:>8.3f}{row['hit@5']:>8.3f}"
            f"{row['mrr@10']:>8.3f}"
        )
    if args.misses or args.category:
        return
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results[backend] = {"scores": table, "misses_at_5": misses}
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {RESULTS.relative_to(ROOT)} (with the queries missed at 5)")


if __name__ == "__main__":
    main()
