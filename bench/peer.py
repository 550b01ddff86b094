"""The peer `make bench` measures beside coderef's search: Datasette 0.65 serving the same codes
(system, code, title) from one SQLite table with an FTS5 index on the title, unranked (Datasette's
`_search`, rows in table order), asked the same queries in the same run through its own request
path in-process, as coderef's are through Django's test client.

A plain full-text look-up of the words: no code shorthand, ranges, synonyms, typo correction or
ranking, so it is a floor for what a search request costs in a well-made Python web stack, not a
competitor in what it finds.
"""

import asyncio
import sqlite3
import time
from pathlib import Path
from urllib.parse import urlencode

from datasette.app import Datasette

PAGE_SIZE = 20  # as /api/search answers by default


def build(path: Path, rows: list[tuple[str, str, str]]) -> None:
    """A fresh peer database at `path` holding these (system, code, title) rows."""
    path.unlink(missing_ok=True)
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE codes (system TEXT, code TEXT, title TEXT)")
        db.executemany("INSERT INTO codes VALUES (?, ?, ?)", rows)
        db.execute(
            "CREATE VIRTUAL TABLE codes_fts USING fts5(title, content=codes, content_rowid=rowid)"
        )
        db.execute("INSERT INTO codes_fts (rowid, title) SELECT rowid, title FROM codes")
    db.close()


class DatasettePeer:
    """Datasette over a peer database; `request_ms(query)` times one `_search` request."""

    def __init__(self, path: Path) -> None:
        self.loop = asyncio.new_event_loop()
        self.datasette = Datasette([str(path)], immutables=[], settings={"num_sql_threads": 1})
        self.table = f"/{path.stem}/codes.json"
        self.loop.run_until_complete(self.datasette.invoke_startup())

    def request_ms(self, query: str) -> float:
        params = urlencode({"_search": query, "_size": PAGE_SIZE, "_shape": "array"})
        started = time.perf_counter()
        response = self.loop.run_until_complete(self.datasette.client.get(f"{self.table}?{params}"))
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"bench: Datasette answered {response.status_code} for {query!r}")
        return elapsed

    def close(self) -> None:
        self.loop.close()
