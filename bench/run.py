"""The search benchmark: the fixed query mix through the full Django request path and straight
on the database (the floor), on the configured database. Requests are timed with the search-result
cache emptied first (the search itself), and the API once more with the result cached. The peer,
Datasette serving the same codes from one FTS5 table (bench/peer.py), is asked the same queries in
the same rounds.

Run by `make bench` (which builds a fresh database with the public code sets first), once for
SQLite and, where PostgreSQL is available, once more under scripts/with-postgres. Each run adds its
backend's figures to bench/results.json.
"""

import argparse
import gc
import json
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coderef.settings")

import django  # noqa: E402

django.setup()
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.cache import caches  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from bench.peer import DatasettePeer, build  # noqa: E402
from codes.models import Code  # noqa: E402
from codes.roles import CODERS  # noqa: E402
from codes.search import search  # noqa: E402

# What startup loaded lives as long as the process: the collector leaves it alone, as it does in the
# server (coderef/wsgi.py), so the timings have the server's collection pauses, not bigger ones.
gc.freeze()

QUERIES = ROOT / "bench" / "queries.tsv"
RESULTS = ROOT / "bench" / "results.json"
PATHS = {
    "api": lambda q: ("/api/search", {"q": q}, {}),
    "fragment": lambda q: ("/", {"q": q}, {"HTTP_HX_REQUEST": "true"}),
}


def load_queries() -> list[tuple[str, str]]:
    rows = []
    for line in QUERIES.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            kind, query = line.split("\t", 1)
            rows.append((kind, query))
    return rows


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50": round(percentile(values, 50), 3),
        "p95": round(percentile(values, 95), 3),
        "p99": round(percentile(values, 99), 3),
        "mean": round(statistics.fmean(values), 3),
    }


def captured_sql(query: str) -> list[tuple[str, object]]:
    """The statements the search runs for this query, exactly as it sends them."""
    statements = []

    def record(execute, sql, params, many, context):
        statements.append((sql, params))
        return execute(sql, params, many, context)

    caches["default"].clear()
    with connection.execute_wrapper(record):
        search(query)
    return statements


def floor_ms(statements: list[tuple[str, object]]) -> float:
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            cursor.fetchall()
    return (time.perf_counter() - started) * 1000


def request_ms(client: Client, path: str, params: dict, headers: dict, cached=False) -> float:
    if not cached:
        for each in caches.all():  # time the work, not a result kept from an earlier request
            each.clear()
    started = time.perf_counter()
    response = client.get(path, params, **headers)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"bench: {path} {params} answered {response.status_code}")
    return elapsed


# The code page class: the codes the codebook issue names, then every CODE_PAGE_STEP-th code of
# each system (headers, 7th-character codes, PCS and HCPCS codes alike).
CODE_PAGES = [
    "icd10cm:E11.65",
    "icd10cm:S72.001A",
    "icd10cm:S72.001",
    "icd10cm:E11",
    "icd10pcs:0DTJ4ZZ",
]
CODE_PAGE_STEP = 1000


def build_peer() -> Path:
    """The peer's database of the same codes (bench/peer.py), beside the results."""
    path = ROOT / "bench" / f"peer-{connection.vendor}.sqlite3"
    build(path, list(Code.objects.values_list("system__slug", "code", "title")))
    return path


def code_page_paths() -> list[str]:
    named = [
        Code.objects.get(system__slug=s, code=c) for s, c in (t.split(":") for t in CODE_PAGES)
    ]
    every_nth = [
        pk
        for slug in Code.objects.order_by().values_list("system__slug", flat=True).distinct()
        for pk in Code.objects.filter(system__slug=slug)
        .order_by("code")
        .values_list("pk", flat=True)[::CODE_PAGE_STEP]
    ]
    sampled = Code.objects.filter(pk__in=every_nth).select_related("system").order_by("pk")
    return [code.get_absolute_url() for code in [*named, *sampled]]


def code_page_report(client: Client, rounds: int) -> dict[str, dict[str, float]]:
    """Server time of the code pages (request to response through Django), in ms: built with the
    page cache emptied first, and answered from it."""
    paths = code_page_paths()
    report = {}
    for name, cached in (("uncached", False), ("cached", True)):
        for path in paths:  # warm up: the connection, the templates and (cached) the page cache
            request_ms(client, path, {}, {}, cached=True)
        timed = [request_ms(client, path, {}, {}, cached) for _ in range(rounds) for path in paths]
        report[name] = summary(timed) | {"pages": len(paths)}
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3, help="timed passes over the mix")
    parser.add_argument(
        "--code-pages-only", action="store_true", help="time the code page class alone, print it"
    )
    args = parser.parse_args()

    codes = Code.objects.count()
    if codes < 100_000:
        raise SystemExit(f"bench: the database holds {codes} codes; run `make bench` to load them")
    user, _ = get_user_model().objects.get_or_create(username="bench")
    user.groups.add(Group.objects.get(name=CODERS))
    client = Client()
    client.force_login(user)
    if args.code_pages_only:
        print(f"code page: {code_page_report(client, args.rounds)}")
        return
    queries = load_queries()

    peer = DatasettePeer(build_peer())
    for _, query in queries:  # warm caches and the connection
        for make in PATHS.values():
            request_ms(client, *make(query))
        peer.request_ms(query)
    timings: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    statements = {query: captured_sql(query) for _, query in queries}
    for _ in range(args.rounds):
        for kind, query in queries:
            for name, make in PATHS.items():
                ms = request_ms(client, *make(query))
                timings[name][kind].append(ms)
                timings[name]["all"].append(ms)
            ms = request_ms(client, *PATHS["api"](query), cached=True)
            timings["cached"][kind].append(ms)
            timings["cached"]["all"].append(ms)
            ms = floor_ms(statements[query])
            timings["floor"][kind].append(ms)
            timings["floor"]["all"].append(ms)
            ms = peer.request_ms(query)
            timings["datasette"][kind].append(ms)
            timings["datasette"]["all"].append(ms)
    peer.close()

    kinds = [*dict.fromkeys(kind for kind, _ in queries), "all"]
    report = {name: {kind: summary(timings[name][kind]) for kind in kinds} for name in timings}
    ratio = {
        kind: round(report["api"][kind]["p95"] / max(report["floor"][kind]["p95"], 0.001), 2)
        for kind in kinds
    }
    backend = connection.vendor
    print(f"\n{backend}: {codes:,} codes, {len(queries)} queries x {args.rounds} rounds (ms)")
    print(
        f"{'class':<14}{'api p50':>9}{'p95':>8}{'p99':>8}{'frag p50':>10}{'p95':>8}"
        f"{'p99':>8}{'floor p50':>11}{'p95':>8}{'p99':>8}{'api/floor p95':>15}"
        f"{'cached p50':>12}{'p95':>8}{'datasette p95':>15}{'p99':>8}"
    )
    for kind in kinds:
        api, frag, floor = report["api"][kind], report["fragment"][kind], report["floor"][kind]
        cached = report["cached"][kind]
        print(
            f"{kind:<14}{api['p50']:>9.2f}{api['p95']:>8.2f}{api['p99']:>8.2f}"
            f"{frag['p50']:>10.2f}{frag['p95']:>8.2f}{frag['p99']:>8.2f}"
            f"{floor['p50']:>11.2f}{floor['p95']:>8.2f}{floor['p99']:>8.2f}{ratio[kind]:>15.2f}"
            f"{cached['p50']:>12.2f}{cached['p95']:>8.2f}"
            f"{report['datasette'][kind]['p95']:>15.2f}{report['datasette'][kind]['p99']:>8.2f}"
        )

    pages = code_page_report(client, args.rounds)
    for name, page in pages.items():
        print(
            f"code page, {name} ({page['pages']} pages x {args.rounds}): p50 {page['p50']:.2f}"
            f"  p95 {page['p95']:.2f}  p99 {page['p99']:.2f}"
        )

    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results[backend] = {
        "codes": codes,
        "queries": len(queries),
        "rounds": args.rounds,
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "ms": report,
        "api_over_floor_p95": ratio,
        "code_page_ms": pages,
    }
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
