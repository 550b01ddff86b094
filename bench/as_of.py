"""Time searches as of a past day against the same searches without one, uncached.

Point DATABASE_URL at a COPY of a database holding every public release (never the original:
nothing is written, but a copy keeps the bench's own file out of reach), for example

    cp bench/bench.sqlite3 /tmp/asof.sqlite3
    DATABASE_URL=sqlite:////tmp/asof.sqlite3 DJANGO_DEBUG=true .venv/bin/python bench/as_of.py

It prints, per day, how many codes of the releases in force then have texts that are not today's
(`codes.search.then`: read once per content token, then kept in the process) and, per query, the
median of 7 uncached searches (`codes.search._search`, the work behind the result cache) without
`as_of` and as of each day, in milliseconds.
"""

import os
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coderef.settings")

import django  # noqa: E402

django.setup()

from codes.models import CodeSystem  # noqa: E402
from codes.search import _search  # noqa: E402
from codes.search.then import code_set_then  # noqa: E402

QUERIES = [
    "marfan's syndrome",
    "irritable bowel without diarrhea",
    "I71.51",
    "thoracoabdominal aneurysm",
    "fracture of femur",
    "E11.6",
    "diabetes with hyperglycemia",
    "copd",
]
DAYS = [date(2019, 6, 1), date(2022, 6, 1), date(2024, 6, 1)]
RUNS = 7


def milliseconds(run) -> float:
    start = time.perf_counter()
    run()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    systems = list(CodeSystem.objects.all())
    for day in DAYS:
        first = milliseconds(lambda day=day: code_set_then(day, systems))
        then = code_set_then(day, systems)
        kept = milliseconds(lambda day=day: code_set_then(day, systems))
        assert then is not None, f"no release in force on {day}"
        print(
            f"code set of {day}: {len(then.codes)} codes whose texts then are not today's; "
            f"first read {first:.0f} ms, then {kept:.1f} ms"
        )
    print(f"{'query':38} {'no as_of':>9} " + " ".join(f"{day.isoformat():>11}" for day in DAYS))
    for query in QUERIES:
        medians = []
        for day in [None, *DAYS]:
            _search(query, None, False, 20, 0, day)
            times = sorted(
                milliseconds(lambda q=query, d=day: _search(q, None, False, 20, 0, d))
                for _ in range(RUNS)
            )
            medians.append(times[RUNS // 2])
        print(f"{query!r:38} " + " ".join(f"{value:9.1f}  " for value in medians))


if __name__ == "__main__":
    main()
