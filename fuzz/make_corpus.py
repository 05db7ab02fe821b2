"""Seed fuzz/corpus/ with one valid file per target (and the hostile files), first byte = target.

    /work/venv/bin/python fuzz/make_corpus.py
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "tests"))

from test_fuzz import VALID  # noqa: E402  (the seeds the CI fuzz test mutates)

NAMES = ["power_list.xlsx", "delegation.xlsx", "issues.jsonl", "issues.csv", "issues.xlsx", "routing.toml",
         "whistles.csv", "whistles.xlsx", "vetoes.csv", "issue.json", "issues.json"]
PREFIXES = {"power-list": 0, "delegation": 1, "rules": 5, "whistles": 6, "vetoes": 8}


def main() -> None:
    corpus = HERE / "corpus"
    corpus.mkdir(exist_ok=True)
    for index, name in enumerate(NAMES):
        data = VALID.get(name, b'{"id": "X", "received_at": "2026-07-01T09:00", "category": "RX0302", '
                               b'"location": "420202001001"}')
        (corpus / f"seed-{name}").write_bytes(bytes([index]) + data)
    for path in sorted((REPO / "tests" / "data" / "hostile").iterdir()):
        stem = path.name.split("--")[0]
        if stem.startswith("issues"):
            index = {".jsonl": 2, ".csv": 3, ".xlsx": 4, ".json": 10}.get(path.suffix, 2)
        elif stem.startswith("whistles") and path.suffix == ".xlsx":
            index = 7
        else:
            index = PREFIXES.get(stem, 0)
        if path.stat().st_size < 200_000:
            (corpus / f"hostile-{path.name}").write_bytes(bytes([index]) + path.read_bytes())
    print(f"seeded {corpus}")


if __name__ == "__main__":
    main()
