"""Search latency on the sample data, or on a synthetic table of made-up codes (none committed).

    DATABASE_URL=sqlite:////tmp/s.sqlite3 python scripts/search_latency.py
    DATABASE_URL=sqlite:////tmp/s.sqlite3 python scripts/search_latency.py --synthetic 180_000

Migrates the database named by DATABASE_URL, loads the sample fixtures if it holds no codes, adds
made-up codes up to --synthetic (PCS-, ICD- and HCPCS-like titles with a skewed vocabulary: `open
approach`, `fracture`, `left` are broad on purpose), then times a query mix through search() and
through /api/search (Django's test client: middleware, session and JSON included, no network).
A throwaway until the benchmark issue brings bench/.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coderef.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from codes.models import Code, CodeSystem  # noqa: E402
from codes.search import search  # noqa: E402

QUERIES = [
    "63709", "e1165", "G96.00", "6370", "6370*", "E11.", "A1", "63700-63710", "G96.0-G96.1",
    "A00-B99", "csf lami", "csf leak", "fracture", "open approach", "left", "repair",
    "fracture of femur left initial", "f", "fr", "fra", "frac", "fractur", "with", "unspecified",
    "type 2 diabetes with hyperglycemia", "diabetis", "lamnectomy", "spinal meninges open approach",
    "crutches", "hcpcs: crutches", "63708", "zzzz qqqq", "dura mater repair",
    "percutaneous endoscopic approach", "subsequent encounter",
]  # fmt: skip
SYLLABLES = "ba be bi bo ca ce ci co da de di do fa fe fi ga ge gi la le li lo ma me mi mo na ne "
SYLLABLES += "ni pa pe pi ra re ri ro sa se si so ta te ti to va ve vi tra tre cro pla ste spi"
OPERATIONS = "Repair Excision Resection Drainage Insertion Replacement Supplement Bypass Dilation "
OPERATIONS += "Fusion Release Removal Revision Inspection Extraction Destruction Division Transfer"
APPROACHES = ["Open Approach", "Percutaneous Approach", "Percutaneous Endoscopic Approach",
              "Via Natural or Artificial Opening", "External Approach"]  # fmt: skip
ENCOUNTERS = ["initial encounter for closed fracture", "initial encounter for open fracture",
              "subsequent encounter with routine healing", "sequela"]  # fmt: skip


def made_up_codes(total: int) -> list[Code]:
    rnd = random.Random(7)
    syllables = SYLLABLES.split()

    def word() -> str:
        stem = "".join(rnd.choice(syllables) for _ in range(rnd.randint(2, 4)))
        return stem + rnd.choice(["", "al", "ic", "ia", "osis", "itis", "oma", "ine"])

    parts = [word() for _ in range(3000)] + ["femur", "tibia", "spine", "dura mater", "lung"]
    conditions = [word() for _ in range(6000)] + ["fracture", "dislocation", "laceration"]
    pcs, cm, hcpcs = (CodeSystem.objects.get(slug=s) for s in ("icd10pcs", "icd10cm", "hcpcs"))
    seen = set(Code.objects.values_list("system_id", "code"))
    codes: list[Code] = []
    alphabet = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    while len(codes) < total:
        kind = rnd.random()
        if kind < 0.45:
            system, code = pcs, "0" + "".join(rnd.choice(alphabet) for _ in range(6))
            title = f"{rnd.choice(OPERATIONS.split())} {rnd.choice(parts).title()}, "
            title += rnd.choice(APPROACHES)
        elif kind < 0.95:
            system = cm
            code = f"{rnd.choice('ABCDGHIJKLMNORSTZ')}{rnd.randint(0, 99):02d}"
            code += f".{rnd.randint(0, 9999)}"
            title = f"{rnd.choice(conditions).capitalize()} of {rnd.choice(parts)}, "
            title += rnd.choice(["right", "left", "unspecified", "bilateral"])
            if rnd.random() < 0.3:
                title += ", " + rnd.choice(ENCOUNTERS)
        else:
            system, code = hcpcs, rnd.choice("ABCEGHJKLV") + f"{rnd.randint(0, 9999):04d}"
            title = f"{rnd.choice(conditions).capitalize()} {rnd.choice(parts)} device, each"
        if (system.pk, code) not in seen:
            seen.add((system.pk, code))
            codes.append(Code(system=system, code=code, title=title, section_path="Synthetic"))
    return codes


def percentile(values: list[float], p: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synthetic", type=int, default=0, help="codes to have in all")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    if not Code.objects.exists():
        call_command("loaddata", "sample", verbosity=0)
        call_command("load_synonyms")
    missing = args.synthetic - Code.objects.count()
    if missing > 0:
        started = time.perf_counter()
        Code.objects.bulk_create(made_up_codes(missing), batch_size=5000)
        print(f"added {missing} made-up codes in {time.perf_counter() - started:.0f} s")
    print(f"{Code.objects.count()} codes")
    setup_test_environment()
    user, _ = User.objects.get_or_create(username="latency-probe", defaults={"is_active": True})
    user.is_superuser = True
    user.save()
    client = Client()
    client.force_login(user)
    runs = {
        "search()": lambda q: search(q),
        "/api/search": lambda q: client.get("/api/search", {"q": q}),
    }
    for name, run in runs.items():
        times: dict[str, list[float]] = {q: [] for q in QUERIES}
        for round_ in range(args.rounds + 1):
            for query in QUERIES:
                started = time.perf_counter()
                run(query)
                if round_:  # the first round warms caches up
                    times[query].append((time.perf_counter() - started) * 1000)
        every = [t for ts in times.values() for t in ts]
        slowest = sorted(times, key=lambda q: -statistics.median(times[q]))[:3]
        print(
            f"{name:12} p50 {percentile(every, 50):5.1f} ms  p95 {percentile(every, 95):5.1f} ms"
            f"  max {max(every):5.1f} ms  slowest: "
            + ", ".join(f"{q!r} {statistics.median(times[q]):.1f} ms" for q in slowest)
        )
    user.delete()


if __name__ == "__main__":
    main()
