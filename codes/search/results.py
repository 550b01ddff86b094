"""What a search answers: the hits, best first, and what the page and the API say about them."""

from dataclasses import dataclass, field

from codes.models import Code
from codes.search.highlights import highlights
from codes.search.ranking import Ranked


@dataclass
class Hit:
    """One code found, why (`match`: code / prefix / range / text / fuzzy) and how well."""

    code: Code
    match: str
    score: float  # never higher than the score of the hit before it
    highlight: str  # escaped HTML with <mark> around matched words
    title_highlight: str = ""  # the title, escaped, with <mark> around matched words
    ranked: Ranked | None = field(default=None, repr=False, compare=False)
    # Why it matched, when terminology led to it: `heart attack -> myocardial infarction (lay
    # term, starter list)`.
    matched_via: list[str] = field(default_factory=list)

    @property
    def why(self) -> str:
        """Why it matched, when terminology led to it, as the page and the API say it: `heart
        attack -> myocardial infarction (lay term, starter list)`; empty for the coder's own
        words or a code."""
        return "; ".join(self.matched_via)

    def fill_highlights(self) -> None:
        """Mark the matched words; done only for the hits a page shows, which need the ranking's
        working data no longer."""
        if self.ranked is not None:
            self.title_highlight, self.highlight = highlights(self.ranked)
            self.ranked = None


@dataclass
class SearchResult:
    """The hits of one page of a search, with the count of all and what else the page shows."""

    query: str
    hits: list[Hit] = field(default_factory=list)
    count: int = 0
    corrected_query: str | None = None  # "showing results for ..."
    compare_codes: list[str] | None = None  # `A vs B` queries: the codes to compare
    count_capped: bool = False  # count is a lower bound: the query matches more codes
    system: str | None = None  # a system filter typed inline (`hcpcs: crutches`)
    error: str | None = None  # why the query cannot be answered (a reversed range ...)
    # Queries to try when nothing is found, or instead of a malformed query.
    suggestions: list[str] = field(default_factory=list)
