"""The on-disk catalog cache: a loaded catalog kept as JSON, so the next process skips parsing.

Parsing the workbooks costs seconds, paid by every command and every new process, so a loaded
catalog is also kept on disk: a JSON file (`CatalogData.model_dump_json`, never pickle) named
and stamped by a SHA-256 of the catalog files' bytes, the powerlist version, a cache schema
version and the source of the modules that shape a catalog (so editing the loader never
serves a stale catalog). Its directory is ``$POWERLIST_CACHE_DIR``, else
``$XDG_CACHE_HOME/powerlist``, else ``~/.cache/powerlist``; ``POWERLIST_NO_CACHE=1`` turns it
off. A cache entry is used only when it parses, its stamp equals the key, it validates as
`CatalogData` and the current user owns it; anything else (a corrupt, foreign or unreadable
file, an unwritable directory) is a miss, silently. Entries are written atomically
(`powerlist.sheets.output`, like every file powerlist writes), only for catalogs that loaded;
the directory keeps the most recently used `DiskCache.KEEP` entries.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path

from .._compat import __version__
from ..errors import FileError
from ..sheets.output import atomic_text
from .files import FILES
from .models import CatalogData

# Bump when the cache file's layout changes (the CatalogData schema is covered by the source
# digest below). 2: the entry also keeps the catalog's fingerprint.
CACHE_SCHEMA = 2
# The code that decides what a catalog directory loads as: the catalog and sheets packages and
# the error types, as paths relative to the powerlist package.
_SHAPING_PACKAGES = ("catalog", "sheets")
_SHAPING_MODULES = ("errors.py",)


def _shaping_sources() -> list[Path]:
    root = Path(__file__).resolve().parent.parent
    files = [root / name for name in _SHAPING_MODULES]
    for package in _SHAPING_PACKAGES:
        files.extend(sorted((root / package).glob("*.py")))
    return files


def cache_dir() -> Path:
    """Where loaded catalogs are kept: $POWERLIST_CACHE_DIR, $XDG_CACHE_HOME/powerlist or
    ~/.cache/powerlist."""
    explicit = os.environ.get("POWERLIST_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        return Path(xdg) / "powerlist"
    return Path.home() / ".cache" / "powerlist"


class DiskCache:
    """Validated catalogs as JSON files keyed by a hash of what they were loaded from."""

    KEEP = 16  # entries kept; tests that write many catalogs must not fill the disk

    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def open(cls) -> DiskCache | None:
        if os.environ.get("POWERLIST_NO_CACHE", "").strip() not in ("", "0"):
            return None
        try:
            return cls(cache_dir())
        except (OSError, RuntimeError):  # no home directory
            return None

    @staticmethod
    def key(directory: Path) -> str | None:
        """SHA-256 of the catalog files' bytes, the version and the loading code; None when a
        file cannot be read (the workbook reader then reports it)."""
        digest = hashlib.sha256(f"powerlist-catalog:{CACHE_SCHEMA}:{__version__}\n".encode())
        root = Path(__file__).resolve().parent.parent
        try:
            for module in _shaping_sources():
                name = module.relative_to(root).as_posix()
                digest.update(_framed(name, module.read_bytes()))
            for name in FILES:
                path = directory / name
                digest.update(_framed(name, path.read_bytes() if path.exists() else None))
        except OSError:
            return None
        return digest.hexdigest()

    def path(self, key: str) -> Path:
        return self.root / f"catalog-{key}.json"

    def get(self, key: str) -> CatalogData | None:
        entry = self.entry(key)
        return entry[0] if entry is not None else None

    def entry(self, key: str) -> tuple[CatalogData, str | None] | None:
        """(the catalog data, its fingerprint when the entry keeps one) of the entry `key`."""
        path = self.path(key)
        try:
            with open(path, "rb") as handle:
                if hasattr(os, "getuid") and os.fstat(handle.fileno()).st_uid != os.getuid():
                    return None  # planted by another user: not trusted
                stored = json.loads(handle.read())
            if not isinstance(stored, dict) or stored.get("key") != key:
                return None
            data = CatalogData.model_validate_json(stored["data"])
            fingerprint = stored.get("fingerprint")
        except Exception:  # noqa: BLE001 — any unreadable entry is a miss, never an error
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # most recently used
        if not (isinstance(fingerprint, str) and len(fingerprint) == 16):
            fingerprint = None  # computed again from the data
        return data, fingerprint

    def put(self, key: str, data: CatalogData, fingerprint: str | None = None) -> None:
        """Keep `data` (and its `Catalog.fingerprint`: hashing a whole catalog costs a loading
        process as much as reading it) under `key`."""
        try:
            self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
            stored = {"key": key, "data": data.model_dump_json()}
            if fingerprint is not None:
                stored["fingerprint"] = fingerprint
            payload = json.dumps(stored, ensure_ascii=False)
            with atomic_text(self.path(key), encoding="utf-8") as out:
                out.write(payload)
            self._prune()
        except (OSError, FileError):
            pass  # an unwritable cache only costs the next process a slow load

    def _prune(self) -> None:
        entries = []
        for path in self.root.glob("catalog-*.json"):
            try:
                entries.append((path.stat().st_mtime_ns, path))
            except OSError:
                continue
        entries.sort(reverse=True)
        for _, path in entries[self.KEEP:]:
            with contextlib.suppress(OSError):
                path.unlink()


def _framed(name: str, content: bytes | None) -> bytes:
    # Length-framed, so no two different file sets hash the same byte stream.
    if content is None:
        return f"{name}\0missing\0".encode()
    return f"{name}\0{len(content)}\0".encode() + content
