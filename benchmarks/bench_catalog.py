"""Catalog loading: parsing the workbooks (cold) vs the on-disk cache (warm).

    .venv/bin/python benchmarks/bench_catalog.py [--catalogs DIR] [--repeat 3]

What a new process pays for `load_catalogs()` (every CLI command, every subprocess test):

- cold: the workbooks parsed with openpyxl and validated (the disk cache switched off);
- warm: the same catalog read from the disk cache (key: SHA-256 of the files' bytes and of the
  loading code; value: the `CatalogData` JSON, validated by pydantic) — hashing included;
- key only: the hashing part of a warm load.

The in-process cache is cleared before each load, so each figure is a fresh process's load
(imports excluded). Times are the best of --repeat runs (wall clock, `time.perf_counter`), in
one run, in a temporary cache directory; the ratio cold / warm is printed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from powerlist import resources
from powerlist.catalog import loader as catalog_loader
from powerlist.catalog.loader import clear_cache, load_catalogs


def best(repeat: int, run: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        clear_cache()
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalogs", default=None, help="catalogs directory (default: shipped)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    root = Path(args.catalogs) if args.catalogs else resources.catalogs_dir()

    with tempfile.TemporaryDirectory() as where:
        os.environ["POWERLIST_CACHE_DIR"] = where
        os.environ["POWERLIST_NO_CACHE"] = "1"
        cold = best(args.repeat, lambda: load_catalogs(root))
        os.environ["POWERLIST_NO_CACHE"] = "0"
        clear_cache()
        reference = load_catalogs(root)  # fills the disk cache
        warm = best(args.repeat, lambda: load_catalogs(root))
        key = best(args.repeat, lambda: catalog_loader._DiskCache.key(root.resolve()))
        clear_cache()
        assert load_catalogs(root).fingerprint == reference.fingerprint
        size = sum(p.stat().st_size for p in Path(where).glob("catalog-*.json"))

    print(f"catalog {root}: {len(reference.items)} items, {len(reference.categories)} categories, "
          f"{len(reference.data.delegations)} delegations; cache entry {size / 1e6:.1f} MB")
    print(f"{'load':<40}{'ms':>10}")
    print(f"{'cold: parse the workbooks':<40}{cold * 1e3:>10.1f}")
    print(f"{'warm: from the disk cache':<40}{warm * 1e3:>10.1f}")
    print(f"{'  of which the key (SHA-256)':<40}{key * 1e3:>10.1f}")
    print(f"cold / warm: {cold / warm:,.1f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
