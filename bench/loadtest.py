"""`make loadtest`: gunicorn (2 workers) on 127.0.0.1 over the bench database, driven by wrk at
32 connections for a bounded time per class of URL, as a signed-in coder. Prints requests/s,
p50/p99 and errors per class and writes bench/loadtest.json. Traffic goes to loopback only and each
run stops by itself.

Classes: the search page and the search API over the fixed query mix of bench/queries.tsv, shuffled
(a team asks the same searches again: after the first round the result cache answers them); the
search page over 8,000 searches asked once each (the search itself, every time); code pages,
comparisons (page and API) and the code API for random codes; searches that find nothing (each
new). Each class but the ones asked once is measured after --warm-up seconds of the same load,
unmeasured: the steady state, with every process's caches and connections warm.

`soak` mixes searches, code pages and comparisons while an editor saves a code through the admin
every second and an import of 300 codes runs again and again; it counts errors and checks that
every save the admin accepted and every import left its revisions (nothing lost).
"""

import argparse
import csv
import itertools
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coderef.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402

from coderef.sessions import SessionStore  # noqa: E402
from codes.models import Code  # noqa: E402
from codes.presenters import compare_url  # noqa: E402
from codes.roles import CODERS, EDITORS  # noqa: E402
from codes.search.concepts import FILLER_WORDS  # noqa: E402
from codes.selectors import compare_tokens  # noqa: E402
from codes.services.releases import release_reason  # noqa: E402
from tests.admin_forms import code_form_data  # noqa: E402

RESULTS = ROOT / "bench" / "loadtest.json"
# Classes measured without a warm-up: each URL is asked once, so no cache may answer it.
ASKED_ONCE = {"search new", "search nothing"}
SOAK_IMPORT_CODES = 300
LATENCY = ("p50_ms", "p99_ms")
QUERIES = ROOT / "bench" / "queries.tsv"


def session_key(username: str = "loadtest", group: str = CODERS) -> str:
    user, _ = get_user_model().objects.get_or_create(
        username=username, defaults={"is_staff": group != CODERS}
    )
    user.groups.add(Group.objects.get(name=group))
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "coderef.auth.RolesBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def new_queries(rng: random.Random, ids: list[int], count: int) -> list[str]:
    """Searches asked once each in a run, so the result cache cannot answer them: the code, or one
    to three words of the title, of random codes."""
    queries = set()
    for code, title in Code.objects.filter(pk__in=rng.sample(ids, count)).values_list(
        "code", "title"
    ):
        words = [w for w in re.findall(r"[a-z]{3,}", title.lower()) if w not in FILLER_WORDS]
        if len(words) < 2 or rng.random() < 0.2:
            queries.add(code)
        else:
            queries.add(" ".join(rng.sample(words, rng.randint(1, min(3, len(words))))))
    return rng.sample(sorted(queries), len(queries))


def url_classes() -> dict[str, list[str]]:
    queries = [
        line.split("\t", 1)[1]
        for line in QUERIES.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    rng = random.Random(20261126)
    ids = list(Code.objects.values_list("pk", flat=True))
    codes = list(
        Code.objects.filter(pk__in=rng.sample(ids, 300)).select_related("system").order_by("pk")
    )
    pairs = list(zip(codes[::2], codes[1::2], strict=False))
    # queries.tsv is grouped by kind (codes, words, typos ...); a team's traffic mixes them.
    rng.shuffle(queries)
    return {
        "search page": [f"/?q={quote(q)}" for q in queries],
        "search new": [f"/?q={quote(q)}" for q in new_queries(rng, ids, 8000)],
        "search api": [f"/api/search?q={quote(q)}" for q in queries],
        "code page": [code.get_absolute_url() for code in codes],
        "compare": [compare_url(compare_tokens(pair)) for pair in pairs],
        "compare api": [
            f"/api/compare?codes={quote(','.join(compare_tokens(pair)), safe=',:')}"
            for pair in pairs
        ],
        "search nothing": [f"/?q=zq{rng.randrange(36**6):06x}xv" for _ in range(8000)],
        "code api": [f"/api/codes/{c.system.slug}/{quote(c.code)}" for c in codes],
        "soak": [
            path
            for group in itertools.zip_longest(
                [f"/?q={quote(q)}" for q in queries],
                [code.get_absolute_url() for code in codes],
                [compare_url(compare_tokens(pair)) for pair in pairs],
            )
            for path in group
            if path
        ],
    }


class Soak:
    """What runs beside wrk in the soak class: an editor saving a code through the admin every
    second, and an import of SOAK_IMPORT_CODES codes' titles run again and again. Afterwards
    `check` finds the revision of every save the admin accepted and of every import."""

    def __init__(self, base: str, tmp: Path) -> None:
        self.base, self.tmp = base, tmp
        self.stop = threading.Event()
        # Labels unique to this run: revisions of earlier runs must not count as this run's.
        self.run = time.strftime("%Y%m%d-%H%M%S")
        self.saves: list[tuple[str, int]] = []  # (change reason, HTTP status)
        self.imports: list[tuple[str, int]] = []  # (release label, exit status)
        self.editor_cookie = f"sessionid={session_key('loadtest-editor', EDITORS)}"
        self.code = Code.objects.filter(system__slug="cpt").first() or Code.objects.first()
        self.imported = list(
            Code.objects.filter(system__slug="icd10cm", status="active")
            .order_by("code")
            .values_list("code", "title")[:SOAK_IMPORT_CODES]
        )
        self.threads = [
            threading.Thread(target=self._edit, daemon=True),
            threading.Thread(target=self._import, daemon=True),
        ]

    def __enter__(self) -> "Soak":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=120)

    def _edit(self) -> None:
        url = f"{self.base}/admin/codes/code/{self.code.pk}/change/"
        for n in itertools.count(1):
            if self.stop.wait(1):
                return
            request = urllib.request.Request(url, headers={"Cookie": self.editor_cookie})
            with urllib.request.urlopen(request, timeout=30) as response:
                csrf_cookie = response.headers.get_all("Set-Cookie") or []
                page = response.read().decode()
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
            csrf = next(c.split(";")[0] for c in csrf_cookie if c.startswith("csrftoken="))
            self.code.refresh_from_db()
            reason = f"soak save {self.run} {n}"
            data = code_form_data(
                self.code, lay_description=f"Soak edit {n}.", change_reason=reason
            )
            body = "&".join(f"{quote(str(k))}={quote(str(v))}" for k, v in data.items())
            post = urllib.request.Request(
                url,
                data=(body + f"&csrfmiddlewaretoken={token}").encode(),
                headers={"Cookie": f"{self.editor_cookie}; {csrf}", "Referer": url},
            )
            try:
                status = NO_REDIRECT.open(post, timeout=30).status
            except urllib.error.HTTPError as error:
                status = error.code
            self.saves.append((reason, status))

    def _import(self) -> None:
        for n in itertools.count(1):
            if self.stop.is_set():
                return
            path = self.tmp / f"soak-{n}.csv"
            with path.open("w", newline="") as file:
                writer = csv.writer(file)
                writer.writerow(["code", "title"])
                for code, title in self.imported:
                    writer.writerow([code, title + (" (soak)" if n % 2 else "")])
            label = f"soak-{self.run}-{n}"
            command = [sys.executable, "manage.py", "import_codes", str(path)]
            result = subprocess.run(
                [*command, "--system", "icd10cm", "--partial", "--version", label],
                cwd=ROOT,
                capture_output=True,
                timeout=300,
            )
            self.imports.append((label, result.returncode))

    def check(self) -> dict[str, int]:
        history = Code.history.model.objects
        accepted = [reason for reason, status in self.saves if status == 302]
        lost_saves = sum(
            1 for reason in accepted if not history.filter(history_change_reason=reason).exists()
        )
        done = [label for label, status in self.imports if status == 0]
        lost_imports = sum(
            1
            for label in done
            if history.filter(history_change_reason=release_reason(label)).count()
            != len(self.imported)
        )
        return {
            "admin_saves": len(self.saves),
            "admin_saves_refused": len(self.saves) - len(accepted),
            "imports": len(self.imports),
            "imports_failed": len(self.imports) - len(done),
            "lost": lost_saves + lost_imports,
        }


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


NO_REDIRECT = urllib.request.build_opener(_NoRedirect)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(base: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("loadtest: gunicorn did not come up within 30 s")


def check_signed_in(base: str, session: str, classes: dict[str, list[str]]) -> None:
    """Each class's first URL must answer 200 for the session, not a redirect to the login."""

    for name, paths in classes.items():
        request = urllib.request.Request(
            base + paths[0], headers={"Cookie": f"sessionid={session}"}
        )
        try:
            status = NO_REDIRECT.open(request, timeout=10).status
        except urllib.error.HTTPError as error:
            status = error.code
        if status != 200:
            raise SystemExit(f"loadtest: {name} {paths[0]} answered {status}, not 200")


def parse_wrk(output: str) -> dict[str, float | None]:
    def ms(value: str) -> float:
        number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()
        return float(number) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.M))
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    socket_errors = re.search(r"Socket errors: (.*)$", output, re.M)
    errors = int(re.search(r"Not 200: (\d+)", output).group(1))
    if socket_errors:
        errors += sum(int(n) for n in re.findall(r"\d+", socket_errors.group(1)))
    return {
        "requests": requests,
        "requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        # No latency distribution: no request completed in time (each counts as an error).
        "p50_ms": round(ms(latency["50"]), 2) if "50" in latency else None,
        "p99_ms": round(ms(latency["99"]), 2) if "99" in latency else None,
        "errors": errors if latency else max(errors, requests, 1),
    }


def wrk(base: str, path_file: Path, session: str, connections: int, seconds: int) -> str:
    """wrk's report of `seconds` of requests over the paths in `path_file`, in a cycle."""
    return subprocess.run(
        [
            "wrk",
            "--threads",
            "2",
            "--connections",
            str(connections),
            "--duration",
            f"{seconds}s",
            "--timeout",
            "10s",
            "--latency",
            "--script",
            str(ROOT / "bench" / "loadtest.lua"),
            base,
        ],
        env={**os.environ, "LOADTEST_PATHS": str(path_file), "LOADTEST_SESSION": session},
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    ).stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=15, help="wrk duration per class")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--warm-up",
        type=int,
        default=5,
        metavar="SECONDS",
        help="unmeasured load before each class whose URLs repeat (0: none)",
    )
    parser.add_argument(
        "--only", action="append", metavar="CLASS", help="run only this class (repeatable)"
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("loadtest: wrk is missing (apt-get install wrk)")
    if Code.objects.count() < 100_000:
        raise SystemExit("loadtest: the database is not bench-sized; run `make bench` first")

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    session = session_key()
    classes = url_classes()
    if args.only:
        unknown = set(args.only) - set(classes)
        if unknown:
            raise SystemExit(f"loadtest: no class {sorted(unknown)}; classes: {list(classes)}")
        classes = {name: paths for name, paths in classes.items() if name in args.only}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "coderef.wsgi",
            "--workers",
            "2",
            "--preload",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        start_new_session=True,
    )
    results = {}
    try:
        wait_until_up(base)
        check_signed_in(base, session, classes)
        with tempfile.TemporaryDirectory() as tmp:
            for name, paths in classes.items():
                path_file = Path(tmp) / "paths.txt"
                path_file.write_text("\n".join(paths) + "\n")
                if name not in ASKED_ONCE and args.warm_up:
                    wrk(base, path_file, session, args.connections, args.warm_up)
                if name == "soak":
                    with Soak(base, Path(tmp)) as soak:
                        output = wrk(base, path_file, session, args.connections, args.seconds)
                    beside = soak.check()
                else:
                    output = wrk(base, path_file, session, args.connections, args.seconds)
                    beside = {}
                results[name] = {**parse_wrk(output), "distinct_urls": len(paths), **beside}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    print(f"\n{'class':<15}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'requests':>10}")
    for name, row in results.items():
        p50, p99 = (f"{row[k]:>9.2f}" if row[k] is not None else f"{'-':>9}" for k in LATENCY)
        print(
            f"{name:<15}{row['requests_per_s']:>9.1f}{p50}{p99}{row['errors']:>8}{row['requests']:>10}"
        )
        if "lost" in row:
            print(
                f"{'':<15}beside it: {row['admin_saves']} admin saves "
                f"({row['admin_saves_refused']} refused), {row['imports']} imports "
                f"({row['imports_failed']} failed), {row['lost']} lost"
            )
    RESULTS.write_text(
        json.dumps(
            {
                "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "connections": args.connections,
                "seconds_per_class": args.seconds,
                "warm_up_seconds": args.warm_up,
                "workers": 2,
                "classes": results,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
