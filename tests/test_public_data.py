"""The public HCPCS file is part of the repository, gzip-compressed, and reads as CMS ships it."""

import gzip

from codes.importers import cms_hcpcs, hcpcs_facts
from codes.importers.public import HCPCS_DIR, HCPCS_FILE, public_sets, readable


def test_the_hcpcs_2019_file_is_in_the_repository_and_is_one_of_the_public_sets():
    hcpcs = [item for item in public_sets() if item.system == "hcpcs"]
    assert [(item.path, item.version) for item in hcpcs] == [
        (HCPCS_DIR / f"{HCPCS_FILE}.gz", "2019")
    ]
    assert (HCPCS_DIR / "HCPC2019_README.txt").is_file()
    assert (HCPCS_DIR / "HCPCS2019_recordlayout.txt").is_file()


def test_the_compressed_file_is_read_under_its_cms_name_and_the_copy_removed_after():
    (item,) = [item for item in public_sets() if item.system == "hcpcs"]
    with readable(item.path) as path:
        assert path.name == HCPCS_FILE
        assert path.read_bytes() == gzip.decompress(item.path.read_bytes())
        release = cms_hcpcs.read(path)
    assert not path.exists()
    assert release.version == "2019"
    by_code = {record.code: record for record in release.records}
    assert len(by_code) > 6000
    assert "oxygen concentrator" in by_code["E1390"].title.lower()


def test_the_hcpcs_facts_read_the_compressed_file_with_its_record_layout():
    """`make load-public` reads the facts from the unpacked copy: the CMS record layout that
    gives each value its meaning must be found beside it."""
    (item,) = [item for item in public_sets() if item.system == "hcpcs"]
    with readable(item.path) as path:
        facts = {fact.code: fact for fact in hcpcs_facts.read(path).facts}
    assert len(facts) > 6000
    assert facts["E1390"].coverage[0] and facts["E1390"].coverage[1]
    assert (HCPCS_DIR / "HCPCS2019_recordlayout.txt").is_file()  # the link, not the file, went


def test_a_plain_file_is_read_where_it_is(tmp_path):
    (tmp_path / HCPCS_FILE).write_bytes(
        gzip.decompress((HCPCS_DIR / f"{HCPCS_FILE}.gz").read_bytes())
    )
    (item,) = [item for item in public_sets(tmp_path) if item.system == "hcpcs"]
    with readable(item.path) as path:
        assert path == tmp_path / HCPCS_FILE
    assert path.exists()
