"""Build the intake corpus and the shipped matcher model, byte for byte reproducibly.

    python tools/build_intake_model.py            # write tools/intake_corpus/complaints.csv and
                                                  # models/matcher-default.json.gz
    python tools/build_intake_model.py --check    # rebuild in a temporary directory and compare bytes

The corpus is drawn from the phrase banks in tools/intake_corpus/ with a fixed seed (illustrative,
示意); the model is trained on its `train` rows only — the `test` rows are the held-out split that
benchmarks/bench_intake.py measures and no model shipped here has seen.
"""

from __future__ import annotations

import argparse
import csv
import filecmp
import io
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from powerlist.catalog.loader import load_catalogs  # noqa: E402
from powerlist.intake import Matcher  # noqa: E402
from tools.intake_corpus.generate import BANKS, SOURCE, generate  # noqa: E402
from tools.intake_corpus.keywords import KEYWORDS  # noqa: E402

CORPUS = ROOT / "tools" / "intake_corpus" / "complaints.csv"
MODEL = ROOT / "models" / "matcher-default.json.gz"
HEADER = ["编号", "数据集", "分类编码", "分类名称", "表述组", "诉求内容", "来源"]
TEXT = 5
# Chosen by benchmarks/bench_intake.py (held-out accuracy against size and speed).
OPTIONS: dict[str, object] = {"char_ngrams": (1, 3), "words": False, "max_features": 60_000, "min_df": 1, "C": 0.5,
                              "review_threshold": 0.5, "calibration_folds": 5, "seed": 0}


def corpus_rows() -> list[list[str]]:
    catalog = load_catalogs(None)
    leaves = {c.code: c.name for c in catalog.categories.values() if c.parent is not None}
    missing = sorted(set(leaves) - set(BANKS))
    extra = sorted(set(BANKS) - set(leaves))
    if missing or extra:
        raise SystemExit(f"phrase banks and taxonomy differ: missing {missing}, unknown {extra}")
    communities = sorted((catalog.streets[c.street].name, c.name) for c in catalog.communities.values())
    return [[c.id, c.split, c.category, leaves[c.category], c.group, c.text, SOURCE] for c in generate(communities)]


def write_corpus(rows: list[list[str]], path: Path) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def train(rows: list[list[str]]) -> Matcher:
    names = {row[2]: row[3] for row in rows}
    train_rows = [row for row in rows if row[1] == "train"]
    # Keyword rules: each category's own name and its dispatch keywords (tools/intake_corpus/keywords.py).
    keywords = {code: [name, *KEYWORDS[code]] for code, name in sorted(names.items())}
    # Calibration folds hold out whole phrasing groups: confidences are fitted on phrasings unseen.
    return Matcher.train([r[TEXT] for r in train_rows], [r[2] for r in train_rows], label_names=names,
                         keywords=keywords, calibration_groups=[r[4] for r in train_rows], **OPTIONS)


def build(corpus: Path, model: Path) -> Matcher:
    rows = corpus_rows()
    write_corpus(rows, corpus)
    matcher = train(rows)
    model.parent.mkdir(parents=True, exist_ok=True)
    matcher.save(model)
    return matcher


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="rebuild into a temporary directory and compare bytes")
    args = parser.parse_args()
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            corpus, model = Path(tmp) / CORPUS.name, Path(tmp) / MODEL.name
            build(corpus, model)
            same = filecmp.cmp(corpus, CORPUS, shallow=False) and filecmp.cmp(model, MODEL, shallow=False)
        print("identical" if same else "DIFFERENT: run tools/build_intake_model.py and commit the result")
        raise SystemExit(0 if same else 1)
    matcher = build(CORPUS, MODEL)
    rows = list(csv.reader(CORPUS.open(encoding="utf-8")))[1:]
    test = [r for r in rows if r[1] == "test"]
    predictions = matcher.predict_many([r[TEXT] for r in test], top=3)
    top1 = sum(p.category == r[2] for p, r in zip(predictions, test, strict=True)) / len(test)
    top3 = sum(r[2] in [c.category for c in p.candidates] for p, r in zip(predictions, test, strict=True)) / len(test)
    print(f"{len(rows)} complaints ({len(rows) - len(test)} train, {len(test)} test), {len(matcher.labels)} labels; "
          f"held-out top-1 {top1:.3f}, top-3 {top3:.3f}; model {MODEL.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
