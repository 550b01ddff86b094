"""What the ICD-10-PCS definitions say of a character value: the shape the importer reads from
CMS's tables and the code page shows for each of a code's characters."""

from dataclasses import dataclass, field


@dataclass
class Definition:
    """A character value, its meaning and what CMS's definitions say of it."""

    value: str
    meaning: str
    definition: str = ""
    explanation: str = ""
    examples: str = ""
    key_terms: list[str] = field(default_factory=list)
