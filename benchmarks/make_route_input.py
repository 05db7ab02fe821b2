"""Write a seeded JSONL (or CSV / Parquet) file of random issues over the shipped catalogs.

    .venv/bin/python benchmarks/make_route_input.py OUT.jsonl [--lines 30000] [--seed N] [--bad 0.0]

Every line is one issue on a random leaf category (a category no other category names as its
parent) and a random place (a street or a community), received at a random minute of
2025-01-01 … 2026-11-30 (naive text: Asia/Shanghai), with random flags, request kinds (English
codes or the Chinese labels of hotline exports) and channels. The same seed gives the same
file, byte for byte, so runs before and after a change route the same input.

`--bad F` turns about a fraction F of the lines into input `powerlist route` must reject or
flag: an id used before (duplicate-id), an unknown category, a place that is not one, a
`received_at` that is a number, a line that is not JSON, a blank line. The output suffix
chooses the format: .jsonl, .csv (the same fields as columns, Chinese yes/no cells) or
.parquet (needs pyarrow).

This is illustrative test data (random combinations of the shipped codes), not real issues.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from powerlist.catalog.catalog import Catalog
from powerlist.catalog.loader import load_catalogs

FIELDS = ("id", "received_at", "category", "location", "channel", "request_kind", "emergency", "key_work",
          "needs_enforcement", "cross_department", "repeat_count", "description")
KINDS = (None, "consult", "help", "complaint", "report", "suggestion", "咨询", "求助", "投诉", "举报", "建议")
CHANNELS = (None, "12345", "数字城管", "雪亮工程", "110", "网格", "12345热线")
DESCRIPTIONS = ("楼道堆放杂物", "路灯不亮", "噪声扰民，夜间施工", "井盖缺失 \"危险\"", "占道经营")
START = datetime(2025, 1, 1)
MINUTES = int((datetime(2026, 11, 30) - START).total_seconds() // 60)


def leaves(catalog: Catalog) -> list[str]:
    parents = {c.parent for c in catalog.categories.values() if c.parent}
    return sorted(code for code in catalog.categories if code not in parents)


def places(catalog: Catalog) -> list[str]:
    return sorted(catalog.streets) + sorted(catalog.communities)


def issue(rng: random.Random, number: int, categories: list[str], locations: list[str]) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": f"HS-{number:08d}",
        "received_at": (START + timedelta(minutes=rng.randrange(MINUTES))).isoformat(timespec="minutes"),
        "category": rng.choice(categories),
        "location": rng.choice(locations),
    }
    channel, kind = rng.choice(CHANNELS), rng.choice(KINDS)
    if channel is not None:
        item["channel"] = channel
    if kind is not None:
        item["request_kind"] = kind
    for flag, p in (("emergency", 0.03), ("key_work", 0.05), ("needs_enforcement", 0.1), ("cross_department", 0.05)):
        if rng.random() < p:
            item[flag] = True
    repeat = rng.choice((0, 0, 0, 0, 1, 2, 3, 5))
    if repeat:
        item["repeat_count"] = repeat
    if rng.random() < 0.3:
        item["description"] = rng.choice(DESCRIPTIONS)
    return item


def spoil(rng: random.Random, item: dict[str, Any], number: int) -> dict[str, Any] | str:
    """One way of being wrong, or a line that is not an issue at all."""
    kind = rng.randrange(6)
    if kind == 0 and number > 1:
        item["id"] = f"HS-{rng.randrange(1, number):08d}"  # an id used by an earlier line
    elif kind == 1:
        item["category"] = "ZZ9999"
    elif kind == 2:
        item["location"] = "420299999"
    elif kind == 3:
        item["received_at"] = 45843
    elif kind == 4:
        return '{"id": "broken", "category": '
    else:
        return ""
    return item


def rows(lines: int, seed: int, bad: float) -> list[dict[str, Any] | str]:
    catalog = load_catalogs()
    categories, locations = leaves(catalog), places(catalog)
    rng = random.Random(seed)
    out: list[dict[str, Any] | str] = []
    for number in range(1, lines + 1):
        item = issue(rng, number, categories, locations)
        out.append(spoil(rng, item, number) if bad and rng.random() < bad else item)
    return out


def write(path: Path, items: list[dict[str, Any] | str]) -> None:
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        with path.open("w", encoding="utf-8", newline="") as handle:
            for item in items:
                handle.write((item if isinstance(item, str) else json.dumps(item, ensure_ascii=False)) + "\n")
    elif suffix == ".csv":
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(FIELDS)
            for item in items:
                if isinstance(item, str):
                    writer.writerow([item] if item else [])
                    continue
                writer.writerow([_cell(item.get(name)) for name in FIELDS])
    elif suffix == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        dicts = [item for item in items if isinstance(item, dict)]
        columns = {name: [_parquet(name, d.get(name)) for d in dicts] for name in FIELDS}
        pq.write_table(pa.table(columns), path, row_group_size=4096)
    else:
        raise SystemExit(f"unknown output suffix {suffix!r}: .jsonl, .csv or .parquet")


def _cell(value: Any) -> str:
    if value is True:
        return "是"
    return "" if value is None else str(value)


def _parquet(name: str, value: Any) -> Any:
    if name in ("emergency", "key_work", "needs_enforcement", "cross_department"):
        return bool(value)
    if name == "repeat_count":
        return int(value or 0)
    return None if value is None else str(value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--lines", type=int, default=30_000)
    parser.add_argument("--seed", type=int, default=20261130)
    parser.add_argument("--bad", type=float, default=0.0, help="fraction of lines to spoil (0 … 1)")
    args = parser.parse_args(argv)
    write(args.out, rows(args.lines, args.seed, args.bad))
    print(f"wrote {args.lines:,} lines to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
