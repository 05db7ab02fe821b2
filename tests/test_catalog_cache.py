"""The on-disk catalog cache: a hit is the same catalog, anything doubtful is a miss."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from powerlist.catalog import loader as catalog_loader
from powerlist.catalog.loader import clear_cache, load_catalogs
from powerlist.catalog.template import write_template
from powerlist.errors import InputError

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def light_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped catalogs with an empty (valid) delegation workbook: quick to parse."""
    root = tmp_path_factory.mktemp("catalogs")
    template = tmp_path_factory.mktemp("template")
    write_template(template)
    for path in (REPO / "catalogs").glob("*.xlsx"):
        shutil.copy(path, root / path.name)
    shutil.copy(template / "delegation.xlsx", root / "delegation.xlsx")
    return root


@pytest.fixture
def catalogs(light_source: Path, tmp_path: Path) -> Path:
    root = tmp_path / "catalogs"
    shutil.copytree(light_source, root)
    return root


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    where = tmp_path / "cache"
    monkeypatch.setenv("POWERLIST_CACHE_DIR", str(where))
    monkeypatch.delenv("POWERLIST_NO_CACHE", raising=False)
    clear_cache()
    yield where
    clear_cache()


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The directories whose workbooks were actually parsed."""
    seen: list[Path] = []
    original = catalog_loader._CatalogReader.load

    def load(self: catalog_loader._CatalogReader) -> object:
        seen.append(self.root)
        return original(self)

    monkeypatch.setattr(catalog_loader._CatalogReader, "load", load)
    return seen


def entries(where: Path) -> list[Path]:
    return sorted(where.glob("catalog-*.json")) if where.is_dir() else []


def fresh_load(root: Path) -> object:
    clear_cache()  # forget the in-process copy: what a new process would do
    return load_catalogs(root)


def test_a_hit_gives_the_same_catalog_without_parsing(catalogs: Path, cache: Path,
                                                      parses: list[Path]) -> None:
    first = fresh_load(catalogs)
    assert len(parses) == 1 and len(entries(cache)) == 1
    second = fresh_load(catalogs)
    assert len(parses) == 1  # served from the cache
    assert second.data == first.data  # type: ignore[attr-defined]
    assert second.fingerprint == first.fingerprint  # type: ignore[attr-defined]
    assert second.units == first.units  # type: ignore[attr-defined]


def test_a_hit_keeps_the_fingerprint_of_its_data(catalogs: Path, cache: Path) -> None:
    """The entry keeps the fingerprint (hashing a catalog costs as much as reading it): the one
    its data gives; an entry without one (or a bad one) has it computed again."""
    from powerlist.catalog.catalog import Catalog

    first = fresh_load(catalogs)
    (entry,) = entries(cache)
    stored = json.loads(entry.read_text(encoding="utf-8"))
    assert stored["fingerprint"] == first.fingerprint == Catalog(first.data).fingerprint  # type: ignore[attr-defined]
    for kept in (None, 12345, "short"):
        if kept is None:
            del stored["fingerprint"]
        else:
            stored["fingerprint"] = kept
        entry.write_text(json.dumps(stored), encoding="utf-8")
        assert fresh_load(catalogs).fingerprint == first.fingerprint  # type: ignore[attr-defined]


def test_a_hit_does_not_depend_on_where_the_directory_lies(catalogs: Path, cache: Path,
                                                           tmp_path: Path,
                                                           parses: list[Path]) -> None:
    first = fresh_load(catalogs)
    moved = shutil.copytree(catalogs, tmp_path / "elsewhere")
    assert fresh_load(moved).fingerprint == first.fingerprint  # type: ignore[attr-defined]
    assert len(parses) == 1


def test_a_changed_file_misses_and_loads_the_new_content(catalogs: Path, cache: Path,
                                                         parses: list[Path]) -> None:
    before = fresh_load(catalogs)
    path = catalogs / "calendar_overrides.xlsx"
    book = openpyxl.load_workbook(path)
    book["调休调整"].append(["2031-01-02", "休息", "cache test", "test"])
    book.save(path)
    after = fresh_load(catalogs)
    assert len(parses) == 2
    assert [o.day for o in after.data.calendar_overrides] == ["2031-01-02"]  # type: ignore[attr-defined]
    assert after.fingerprint != before.fingerprint  # type: ignore[attr-defined]
    assert len(entries(cache)) == 2


@pytest.mark.parametrize("damage", [
    "garbage",
    "truncated",
    "wrong key",
    "invalid catalog",
    "not an object",
])
def test_a_corrupt_cache_entry_falls_back_to_the_workbooks(catalogs: Path, cache: Path,
                                                           parses: list[Path], damage: str) -> None:
    good = fresh_load(catalogs)
    (entry,) = entries(cache)
    stored = json.loads(entry.read_text(encoding="utf-8"))
    if damage == "garbage":
        entry.write_bytes(b"\x00\xff not json")
    elif damage == "truncated":
        entry.write_bytes(entry.read_bytes()[: entry.stat().st_size // 2])
    elif damage == "wrong key":
        # another catalog's entry under this name must not be served
        entry.write_text(json.dumps({"key": "0" * 64, "data": stored["data"]}), encoding="utf-8")
    elif damage == "invalid catalog":
        data = json.loads(stored["data"])
        data["streets"][0]["code"] = {"not": "a code"}
        entry.write_text(json.dumps({"key": stored["key"], "data": json.dumps(data)}),
                         encoding="utf-8")
    else:
        entry.write_text("[1, 2, 3]", encoding="utf-8")
    again = fresh_load(catalogs)
    assert len(parses) == 2  # parsed again
    assert again.fingerprint == good.fingerprint  # type: ignore[attr-defined]
    # and the bad entry was replaced by a good one
    assert fresh_load(catalogs).fingerprint == good.fingerprint  # type: ignore[attr-defined]
    assert len(parses) == 2


def test_an_unwritable_cache_directory_still_loads(catalogs: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   parses: list[Path]) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("POWERLIST_CACHE_DIR", str(blocker / "cache"))
    monkeypatch.delenv("POWERLIST_NO_CACHE", raising=False)
    first = fresh_load(catalogs)
    second = fresh_load(catalogs)
    assert len(parses) == 2
    assert second.fingerprint == first.fingerprint  # type: ignore[attr-defined]
    clear_cache()


def test_no_cache_switch(catalogs: Path, cache: Path, monkeypatch: pytest.MonkeyPatch,
                         parses: list[Path]) -> None:
    monkeypatch.setenv("POWERLIST_NO_CACHE", "1")
    fresh_load(catalogs)
    fresh_load(catalogs)
    assert len(parses) == 2
    assert entries(cache) == []


def test_a_failed_load_is_not_cached(catalogs: Path, cache: Path, parses: list[Path]) -> None:
    (catalogs / "taxonomy.xlsx").unlink()
    for _ in range(2):
        clear_cache()
        with pytest.raises(InputError):
            load_catalogs(catalogs)
    assert len(parses) == 2
    assert entries(cache) == []


def test_the_cache_keeps_a_bounded_number_of_entries(catalogs: Path, cache: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(catalog_loader._DiskCache, "KEEP", 1)
    fresh_load(catalogs)
    path = catalogs / "calendar_overrides.xlsx"
    book = openpyxl.load_workbook(path)
    book["调休调整"].append(["2031-01-02", "休息", "cache test", "test"])
    book.save(path)
    latest = fresh_load(catalogs)
    (entry,) = entries(cache)
    assert json.loads(entry.read_text(encoding="utf-8"))["key"] in entry.name
    assert fresh_load(catalogs).fingerprint == latest.fingerprint  # type: ignore[attr-defined]
