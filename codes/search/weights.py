"""Every number search ranks by, in one place: how much each field counts, how good each kind of
word match is, and the score band of each tier.

The Python ranking (ranking.rank), SQLite's bm25() column weights and PostgreSQL's ts_rank weights
are all derived from WEIGHTS.fields, so the backends' relevance order for broad queries and the
final ranking agree on what matters most.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldWeights:
    """How much a match in each searched text counts, in the index's column order (the SQLite FTS
    columns and PostgreSQL's setweight labels A, B, C, D follow it)."""

    title: float
    inclusion_terms: float
    descriptor: float
    lay_description: float

    def items(self) -> tuple[tuple[str, float], ...]:
        """(field name, weight) pairs in column order."""
        return (
            ("title", self.title),
            ("inclusion_terms", self.inclusion_terms),
            ("descriptor", self.descriptor),
            ("lay_description", self.lay_description),
        )


@dataclass(frozen=True)
class MatchQualities:
    """How good a word match is: the word as typed (or a synonym), a word form, a prefix."""

    typed: float
    form: float
    prefix: float
    # A code silent on what the query says is absent (`CT head without contrast`: a title that
    # names no contrast, ICD-10-PCS's None) holds it less well than one saying it is absent.
    silent: float


@dataclass(frozen=True)
class LineWeights:
    """How much a line (the title or one inclusion term) holding the whole query counts.
    `Fracture of hip NOS` (an inclusion term) is about as good an answer to `hip fracture` as a
    title would be."""

    title: float
    inclusion_terms: float

    def items(self) -> tuple[tuple[str, float], ...]:
        """(field name, weight) pairs of the fields whose lines are answers on their own."""
        return (("title", self.title), ("inclusion_terms", self.inclusion_terms))


@dataclass(frozen=True)
class Band:
    """The scores of one tier: `floor` for the weakest hit, `floor + spread` for the best."""

    floor: float
    spread: float = 0.0

    def score(self, relevance: float) -> float:
        """The hit's score for a relevance between 0 and 1 (ranking.rank's score)."""
        return round(self.floor + self.spread * min(max(relevance, 0.0), 1.0), 4)


@dataclass(frozen=True)
class Bands:
    """Tier score bands, best tier first; no two overlap, so scores fall with the tiers."""

    exact_code: Band
    code_interval: Band  # in a typed prefix (`6370*`) or range (`63700-63710`)
    # An index entry whose words are the whole query points at the code or its family: what the
    # official index says, above any title's words, below a code the coder typed. One of an
    # imported file (ICD-9-CM titles through the GEMs, the PCS Index: thousands nobody here
    # chose) ranks below the starter list's and editors': pointing at one code, above the titles'
    # words; pointing at a family, below every code holding all the words.
    index_entry: Band
    imported_index_code: Band
    all_words_in_line: Band  # the title or one inclusion term holds every word
    all_words: Band  # the code's texts hold every word
    imported_index_family: Band
    some_words: Band
    # A corrected query's hits (match `fuzzy`) keep their tier's band scaled by this: what the
    # coder typed found nothing as typed.
    corrected: float


@dataclass(frozen=True)
class Weights:
    """The ranking's numbers; see ranking.rank for how they combine."""

    fields: FieldWeights
    matches: MatchQualities
    lines: LineWeights
    # What a line saying it is the general, default code (`unspecified`, `NOS`) adds.
    general_bonus: float
    # A word the query does not explain counts this much after the line's first comma: `Walker,
    # rigid, adjustable` is a walker with qualifiers, `Seat attachment, walker` is about something
    # else.
    qualifier: float
    # The share of a code's relevance from its concepts' best matches anywhere; the rest is how
    # well its best single line answers the whole query.
    concept_share: float
    # How much more a rare concept counts than a common one, per unit of log(count ratio).
    idf_scale: float
    # What a dose typed beside a drug (`1 gram`, `50 mg`) counts where codes hold only some
    # concepts, times its rarity's weight: a code's unit is rarely the dose given.
    dose: float
    # What a code of a system the query's wording prefers (a procedure: CPT, HCPCS, PCS; a
    # diagnosis: ICD-10-CM) adds to its relevance.
    intent_bonus: float
    bands: Bands


WEIGHTS = Weights(
    # A synonym counts as much as the words it stands for: `COPD` is what the coder means.
    fields=FieldWeights(title=1.0, inclusion_terms=0.9, descriptor=0.5, lay_description=0.4),
    matches=MatchQualities(typed=1.0, form=0.8, prefix=0.7, silent=0.6),
    lines=LineWeights(title=0.97, inclusion_terms=0.95),
    general_bonus=0.03,
    qualifier=0.25,
    concept_share=0.5,
    idf_scale=0.5,
    dose=0.25,
    intent_bonus=0.04,
    bands=Bands(
        exact_code=Band(1.0),
        code_interval=Band(0.9),
        index_entry=Band(0.87, 0.02),
        imported_index_code=Band(0.85, 0.015),
        all_words_in_line=Band(0.6, 0.24),
        all_words=Band(0.42, 0.17),
        imported_index_family=Band(0.4, 0.015),
        some_words=Band(0.1, 0.29),
        corrected=0.5,
    ),
)
