"""Write catalogs/gazetteer.xlsx (illustrative Huangshi gazetteer) from tools/catalog_data/gazetteer.py.

    python tools/build_gazetteer.py           # write it
    python tools/build_gazetteer.py --check   # rebuild in a temporary directory and compare bytes

The same data gives the same bytes; the file is read back through powerlist's own reader and
every row must load against the shipped catalogs.
"""

from __future__ import annotations

import argparse
import filecmp
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from powerlist.catalog.loader import load_catalogs  # noqa: E402
from powerlist.intake.gazetteer_book import TEMPLATE_NOTES, read_gazetteer, write_gazetteer  # noqa: E402
from tools.catalog_data.gazetteer import ESTATES, LANDMARKS, ROADS, SOURCE  # noqa: E402

OUT = ROOT / "catalogs" / "gazetteer.xlsx"
TITLE = "黄石市地名地址库（示意，非官方地址库：路名取常见路名，门牌段、小区、地标与社区的对应为样例编排）"


def rows() -> list[list[object]]:
    catalog = load_catalogs(None)

    def names(code: str) -> tuple[str, str]:
        community = catalog.communities[code]
        return community.name, catalog.streets[community.street].name

    out: list[list[object]] = []
    for road, aliases, segments in ROADS:
        for first, last, parity, code in segments:
            community, street = names(code)
            out.append(["道路", road, "、".join(aliases), first, last, parity, code, "", community, street, SOURCE, ""])
    for kind, table in (("小区", ESTATES), ("地标", LANDMARKS)):
        for name, aliases, code in table:
            community, street = names(code)
            out.append([kind, name, "、".join(aliases), None, None, "", code, "", community, street, SOURCE, ""])
    return out


def build(path: Path) -> int:
    data = rows()
    write_gazetteer(path, data, title=TITLE, notes=TEMPLATE_NOTES)
    loaded = read_gazetteer(path, load_catalogs(None))
    if len(loaded) != len(data):
        raise SystemExit(f"read back {len(loaded)} rows of {len(data)}")
    return len(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            built = Path(tmp) / OUT.name
            build(built)
            same = filecmp.cmp(built, OUT, shallow=False)
        print("identical" if same else "DIFFERENT: run tools/build_gazetteer.py and commit the result")
        raise SystemExit(0 if same else 1)
    print(f"{OUT.relative_to(ROOT)}: {build(OUT)} rows")


if __name__ == "__main__":
    main()
