"""An HCPCS Level II code's administrative facts from the CMS file."""

from dataclasses import dataclass
from typing import Any

from codes.codebook.models import HcpcsFacts
from codes.models import Code


@dataclass
class Codebook:
    facts: HcpcsFacts
    # Whether Medicare pays is the coverage code's to say; every listed code can be reported.
    billable: bool | None = None

    def as_json(self) -> dict[str, Any]:
        """The facts for /api/codes, each value with its meaning."""
        facts = self.facts

        def day(value: Any) -> str | None:
            return value.isoformat() if value else None

        return {
            "release": facts.release,
            "pricing": [{"value": value, "meaning": meaning} for value, meaning in facts.pricing],
            "multiple_pricing": {
                "value": facts.multiple_pricing,
                "meaning": facts.multiple_pricing_meaning,
            },
            "coverage": {"value": facts.coverage, "meaning": facts.coverage_meaning},
            "betos": facts.betos,
            "action": {"value": facts.action, "meaning": facts.action_meaning},
            "added": day(facts.added),
            "action_effective": day(facts.action_effective),
            "terminated": day(facts.terminated),
        }


def codebook(code: Code) -> Codebook | None:
    """The CMS file's facts of `code`; None when none are loaded for it."""
    facts = HcpcsFacts.objects.filter(code=code.code).first()
    return Codebook(facts) if facts else None
