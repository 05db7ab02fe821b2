"""Hostile inputs (issue 7 §3): every loader refuses them with a located InputError, in bounded
time and memory, the CLI never shows a traceback, nothing is half-loaded, and nothing powerlist
writes carries a runnable formula.

The files are in tests/data/hostile/ (written by tools/make_hostile.py); `CASES` says what each
must produce: the fragments that must appear in the rendered problems (where the problem is),
or "inert" for files whose hostile values are legal text that outputs must neutralise.
"""

from __future__ import annotations

import csv
import io
import json
import resource
import shutil
import subprocess
import sys
import tracemalloc
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import typer
from typer.testing import CliRunner

from powerlist.catalog.loader import clear_cache, load_catalogs, load_delegation_workbook
from powerlist.catalog.power_list import load_power_list
from powerlist.cli import audit as audit_cli
from powerlist.cli import cases as cases_cli
from powerlist.cli import catalog as catalog_cli
from powerlist.cli import route as route_cli
from powerlist.cli import score as score_cli
from powerlist.errors import InputError
from powerlist.routing.issue_io import read_issues
from powerlist.routing.router import Router
from powerlist.routing.tables import RuleSet
from powerlist.scoring import read_vetoes, read_whistles
from powerlist.sheets.cells import is_dangerous

REPO = Path(__file__).resolve().parent.parent
HOSTILE = REPO / "tests" / "data" / "hostile"
PEAK_BYTES = 256 * 1024 * 1024  # what any one hostile file may make the loader allocate
CATALOG_FILES = {"organisation": "organisation.xlsx", "taxonomy": "taxonomy.xlsx",
                 "calendar": "calendar_overrides.xlsx", "power-list": "power_list.xlsx"}

# file → fragments of the rendered problems (each must appear), or "inert"
CASES: dict[str, tuple[str, ...] | str] = {
    "power-list--truncated.xlsx": ("corrupt or truncated",),
    "power-list--xls-renamed.xlsx": (".xls",),
    "power-list--csv-renamed.xlsx": ("text (a .csv",),
    "power-list--empty.xlsx": ("empty",),
    "power-list--binary-garbage.xlsx": ("not an .xlsx",),
    "power-list--zip-bomb.xlsx": ("xl/worksheets/sheet1.xml", "ratio"),
    "power-list--zip-bomb-declared.xlsx": ("declares", "uncompressed"),
    "power-list--entities-in-sheet.xlsx": ("entities",),
    "power-list--entities-in-shared-strings.xlsx": ("entities",),
    "power-list--corrupt-sheet-xml.xlsx": ("cannot open the workbook",),
    "power-list--no-workbook-part.xlsx": ("xl/workbook.xml",),
    "power-list--formula-injection.xlsx": ("通用权责清单!B2", "通用权责清单!B7", "formula without a cached value"),
    "power-list--unknown-kind.xlsx": ("通用权责清单!E3", "通用权责清单!E4", "通用权责清单!J4"),
    "power-list--duplicate-headers.xlsx": ("Sheet1!D1", "two columns for 事项名称"),
    "power-list--hidden-sheet-only.xlsx": ("no visible sheet",),
    "power-list--wrong-types.xlsx": ("通用权责清单!E3", "通用权责清单!J3", "通用权责清单!E4"),
    "power-list--duplicate-codes.xlsx": ("通用权责清单!B4", "first at 通用权责清单!B3"),
    "power-list--no-header.xlsx": ("no header found",),
    "power-list--empty-code.xlsx": ("通用权责清单!B3", "empty code"),
    "power-list--rows-backwards.xlsx": ("通用权责清单!A4", "row numbers go backwards", "行号倒退"),
    "power-list--strict-ooxml.xlsx": ("Strict Open XML",),
    "power-list--encrypted.xlsx": ("password-protected (encrypted)", "已加密"),
    "power-list--invisible-codes.xlsx": ("通用权责清单!B3", "U+200B", "通用权责清单!B4", "U+202E", "通用权责清单!B5",
                                         "U+FEFF"),
    "catalog-organisation--unknown-district.xlsx": ("organisation.xlsx: 街道!C", "unknown district"),
    "catalog-organisation--missing-sheet.xlsx": ("missing sheet '部门'",),
    "catalog-organisation--wrong-types.xlsx": ("街道!D2", "街道!D3", "whole number"),
    "catalog-taxonomy--bad-scope-and-cycle.xlsx": ("问题分类!D2", "cycle"),
    "catalog-calendar--dates-as-text.xlsx": ("调休调整!A3", "调休调整!A4", "调休调整!B5"),
    "catalog-power-list--truncated.xlsx": ("power_list.xlsx", "corrupt or truncated"),
    "delegation--unknown-street-and-mode.xlsx": ("街道承接!G3", "街道承接!H4", "街道承接!G5"),
    "delegation--zip-bomb-declared.xlsx": ("declares",),
    "issues--bom-mixed-encoding.csv": ("row 3", "not utf-8"),
    "issues--gb18030.csv": ("row 1", "gb18030"),
    "issues--empty.csv": ("empty",),
    "issues--nul-bytes.csv": ("row 2",),
    "issues--duplicate-headers.csv": ("row 2", "given twice"),
    "issues--dates-as-text.csv": ("row 2: field 'received_at'", "row 3: field 'received_at'", "row 4"),
    "issues--deeply-nested.jsonl": ("row 1", "row 2"),
    "issues--huge-number.jsonl": ("row 1",),
    "issues--deeply-nested.json": ("issues--deeply-nested.json",),
    "issues--huge-line.jsonl": ("row 1: field 'description'",),
    "issues--wrong-types.jsonl": ("row 1: field 'id'", "row 2: field 'emergency'", "row 3", "row 4", "row 5"),
    "issues--unknown-codes.jsonl": ("row 1: field 'category'", "row 1: field 'location'"),
    "issues--binary-garbage.jsonl": ("not utf-8",),
    "issues--truncated.xlsx": ("corrupt or truncated",),
    "issues--entities.xlsx": ("entities",),
    "issues--hidden-sheet-only.xlsx": ("no sheet with an issue header",),
    "issues--csv-renamed.xlsx": ("text (a .csv",),
    "issues--rich-markup.jsonl": ("row 2: field 'category'",),
    "issues--formula-injection.csv": "inert",
    "issues--formula-injection.jsonl": "inert",
    "issues--lone-surrogate.jsonl": ("row 1: field 'id'", "row 2: field 'description'", "row 3: field", "udc80key",
                                     "U+DFFF", "U+D800", "孤立代理"),
    "issues--duplicate-keys.jsonl": ("row 1: field 'emergency'", "given twice", "row 2: field 'description'"),
    "issues--time-overflow.jsonl": ("row 1: field 'received_at'", "row 2: field 'received_at'",
                                    "row 3: field 'received_at'", "超出可计算的范围"),
    "issues--invisible-ids.jsonl": ("row 1: field 'id'", "U+200B", "row 2: field 'id'", "U+202E",
                                    "row 3: field 'category'", "U+2060"),
    "issues--rows-backwards.xlsx": ("工单!A5", "row numbers go backwards"),
    "issues--encrypted.xlsx": ("password-protected (encrypted)",),
    "issues--strict-ooxml.xlsx": ("Strict Open XML",),
    "issues--line-separators.jsonl": "valid",
    "issues--sparse.xlsx": "valid",
    "issues--formula-after-nfkc.csv": "inert",
    "issues--formula-after-nfkc.jsonl": "inert",
    "rules--invalid-toml.toml": ("routing.toml", "not valid TOML", "line 3"),
    "rules--wrong-types.toml": ("whistle.hit_policy", "whistle.inputs", "lead.rows[0]", "lead.rows[1].when.nope"),
    "rules--deeply-nested.toml": ("routing.toml",),
    "rules--binary-garbage.toml": ("routing.toml", "cannot read"),
    "rules--missing-tables.toml": ("no table",),
    "whistles--bad-values.csv": ("E2", "F2", "G2", "M2", "N2", "O2", "P2", "A4: field 'case_id'"),
    "whistles--duplicate-headers.csv": ("two columns for 街道",),
    "whistles--mixed-encoding.csv": ("row 2", "not utf-8"),
    "whistles--truncated.xlsx": ("corrupt or truncated",),
    "whistles--dates-as-text.xlsx": ("哨!G2", "哨!H2"),
    "whistles--formula-injection.csv": "inert",
    "whistles--time-overflow.csv": ("G2: field 'received_at'", "H3: field 'respond_by'", "超出可计算的范围"),
    "whistles--invisible-codes.csv": ("A2: field 'case_id'", "U+200B", "B2: field 'street'", "U+202E"),
    "vetoes--bad-dates-and-blanks.csv": ("C2: field 'date'", "A3: field 'subject'", "C4: field 'date'"),
}
ERRORS = sorted(name for name, expected in CASES.items() if expected not in ("inert", "valid"))
# issue files whose good rows must still be routed ("the batch goes on"): file → the ids routed
ROUTED = {
    "issues--lone-surrogate.jsonl": ["HS-4"],
    "issues--duplicate-keys.jsonl": ["HS-3"],
    "issues--time-overflow.jsonl": ["HS-4"],
    "issues--invisible-ids.jsonl": ["HS-4"],  # ＨＳ－４ read as NFKC
    "issues--line-separators.jsonl": ["HS-1", "HS-2", "HS-3"],
    "issues--sparse.xlsx": ["HS-1", "HS-2", "HS-3", "HS-4"],
}


def test_the_table_covers_every_file_and_every_loader() -> None:
    files = {p.name for p in HOSTILE.iterdir() if p.is_file() and p.name != "README.md"}
    assert files == set(CASES), files ^ set(CASES)
    assert len(files) >= 30
    assert {name.split("--")[0].split("-")[0] for name in files} == {
        "power", "catalog", "delegation", "issues", "rules", "whistles", "vetoes"}


# ---- the library ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def router() -> Router:
    return Router.default()


def catalog_dir(name: str, light: Path, tmp_path: Path) -> Path:
    """A copy of the light catalogs with the workbook that `name` attacks replaced by it."""
    target = CATALOG_FILES[name.split("--")[0].removeprefix("catalog-")]
    root = tmp_path / "catalogs"
    shutil.copytree(light, root)
    shutil.copy(HOSTILE / name, root / target)
    return root


def rules_dir(name: str, tmp_path: Path) -> Path:
    root = tmp_path / "rules"
    root.mkdir()
    for path in (REPO / "rules").glob("*.toml"):
        shutil.copy(path, root / path.name)
    shutil.copy(HOSTILE / name, root / "routing.toml")
    return root


def load(name: str, router: Router, light: Path, tmp_path: Path) -> Any:
    """Run the loader `name` attacks; rejected issues come back as their problems."""
    path = HOSTILE / name
    if name.startswith("power-list"):
        return load_power_list(path)
    if name.startswith("catalog-"):
        return load_catalogs(catalog_dir(name, light, tmp_path))
    if name.startswith("delegation"):
        return load_delegation_workbook(path, router.catalog)
    if name.startswith("issues"):
        decisions = list(router.route_many(read_issues(path)))
        problems = [p for d in decisions if d.status == "rejected" for p in d.errors]
        if problems:
            raise InputError(problems, "rejected issues")
        return decisions
    if name.startswith("rules"):
        return Router(router.catalog, RuleSet.load(rules_dir(name, tmp_path)))
    if name.startswith("whistles"):
        return read_whistles(path)
    if name.startswith("vetoes"):
        return read_vetoes(path)
    raise AssertionError(name)


@pytest.mark.parametrize("name", ERRORS)
def test_a_located_input_error_in_bounded_memory(name: str, router: Router, light_catalogs: Path,
                                                 tmp_path: Path) -> None:
    # a catalog is five well-formed workbooks, each bounded like a power list; tracing them
    # would only make the suite slow
    traced = not name.startswith("catalog-")
    if traced:
        tracemalloc.start()
    try:
        with pytest.raises(InputError) as caught:
            load(name, router, light_catalogs, tmp_path)
        peak = tracemalloc.get_traced_memory()[1] if traced else 0
    finally:
        if traced:
            tracemalloc.stop()
    assert peak < PEAK_BYTES, f"{name}: {peak} bytes at peak"
    rendered = "\n".join(str(p) for p in caught.value.problems)
    for fragment in CASES[name]:
        assert fragment in rendered, f"{name}: {fragment!r} not in\n{rendered}"
    for problem in caught.value.problems:
        assert problem.file or problem.field, f"{name}: a problem that names no place: {problem}"


def test_a_ten_megabyte_cell(tmp_path: Path) -> None:
    """Written at test time (too big to commit): a 10 MB inline-string cell of incompressible
    text, so that no zip-bomb ratio trips first. openpyxl itself cuts strings it writes to
    32,767 characters, so the sheet XML is written by hand."""
    import base64
    import random

    text = base64.b64encode(random.Random(10).randbytes(7_500_000))  # 10 MB of ASCII
    book = openpyxl.Workbook()
    book.active.title = "通用权责清单"
    book.active.append(["事项编码", "事项名称", "权力类型", "实施依据"])
    book.active.append(["1001", "对占道经营的处罚", "行政处罚", "x"])
    source = tmp_path / "source.xlsx"
    book.save(source)
    path = tmp_path / "big-cell.xlsx"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                start = data.index(b'<c r="D2"')
                end = data.index(b"</c>", start) + 4
                data = data[:start] + b'<c r="D2" t="inlineStr"><is><t>' + text + b"</t></is></c>" + data[end:]
            zout.writestr(info.filename, data)
    del text
    with pytest.raises(InputError) as caught:
        load_power_list(path)
    assert any(p.cell == "D2" and p.code == "cell-too-long" for p in caught.value.problems), caught.value


def test_a_failed_catalog_load_is_not_cached(light_catalogs: Path, tmp_path: Path) -> None:
    root = catalog_dir("catalog-organisation--unknown-district.xlsx", light_catalogs, tmp_path)
    for _ in range(2):
        with pytest.raises(InputError):
            load_catalogs(root)
    shutil.copy(light_catalogs / "organisation.xlsx", root / "organisation.xlsx")
    clear_cache()
    assert load_catalogs(root).streets


@pytest.mark.parametrize("name", sorted(ROUTED))
def test_the_batch_goes_on_past_each_bad_row(name: str, router: Router) -> None:
    decisions = list(router.route_many(read_issues(HOSTILE / name)))
    assert [d.issue_id for d in decisions if d.status == "routed"] == ROUTED[name]
    for decision in decisions:  # every row is one decision, numbered by its own line
        for problem in decision.errors:
            assert problem.row == decisions.index(decision) + 1, problem


def test_line_separators_inside_json_strings_stay_in_their_line(router: Router) -> None:
    records = list(read_issues(HOSTILE / "issues--line-separators.jsonl"))
    assert [r.row for r in records] == [1, 2, 3] and not any(r.problems for r in records)
    assert records[0].data["description"] == "第一段\u2028第二段"
    assert records[1].data["description"] == "甲\u2029乙\u0085丙\u000b丁\u000c戊\u001c己"


def test_a_sparse_sheet_is_read_as_wide_as_its_header(router: Router, monkeypatch: pytest.MonkeyPatch) -> None:
    """A note in column XFD on every row: rows below the header are read only as wide as the mapped
    columns, so the cost of a row does not depend on how far right its last cell is (linear in
    rows; measured in benchmarks/bench_sparse.py). Checked by the widths openpyxl builds, not by time."""
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    widths: list[int] = []
    original = ReadOnlyWorksheet._get_row

    def recording(self: Any, *args: Any, **kwargs: Any) -> Any:
        row = original(self, *args, **kwargs)
        widths.append(len(row))
        return row

    monkeypatch.setattr(ReadOnlyWorksheet, "_get_row", recording)
    records = list(read_issues(HOSTILE / "issues--sparse.xlsx"))
    assert len(records) == 4
    # the header (row 1) is read whole, to find it; the four data rows only as wide as it maps
    assert len(widths) == 5 and max(widths[1:]) <= len(records[0].cells), widths


# ---- the command line -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cli() -> typer.Typer:
    app = typer.Typer(pretty_exceptions_enable=False)
    for module in (catalog_cli, route_cli, score_cli, cases_cli, audit_cli):
        module.register(app)
    return app


def command(name: str, light: Path, tmp_path: Path) -> list[str]:
    path = str(HOSTILE / name)
    if name.startswith("power-list"):
        return ["catalog", "check", path, "--json"]
    if name.startswith("catalog-"):
        return ["catalog", "check", str(catalog_dir(name, light, tmp_path)), "--json"]
    if name.startswith("issues"):
        return ["route", path, "--format", "csv", "--out", str(tmp_path / "out.csv")]
    if name.startswith("rules"):
        return ["route", str(REPO / "examples" / "issues.jsonl"), "--rules", str(rules_dir(name, tmp_path))]
    if name.startswith("whistles"):
        return ["score", "--input", path, "--period", "2026", "--json", "--out", str(tmp_path / "out.xlsx")]
    if name.startswith("vetoes"):
        return ["score", "--input", str(HOSTILE / "whistles--formula-injection.csv"), "--vetoes", path,
                "--period", "2026", "--json", "--out", str(tmp_path / "out.xlsx")]
    if name.startswith("delegation"):
        return ["audit", path, "--json", "--out", str(tmp_path / "out.xlsx")]
    raise AssertionError(name)


@pytest.mark.parametrize("name", ERRORS)
def test_the_cli_exits_1_without_a_traceback(name: str, cli: typer.Typer, light_catalogs: Path,
                                             tmp_path: Path) -> None:
    args = command(name, light_catalogs, tmp_path)
    result = CliRunner().invoke(cli, args)
    shown = result.output + (repr(result.exception) if result.exception else "")
    assert result.exit_code == 1, f"{name}: exit {result.exit_code}\n{shown}"
    assert isinstance(result.exception, SystemExit | None), f"{name}: {result.exception!r}"
    assert "Traceback" not in result.output
    # nothing half-written: an input refused as a whole leaves no output file
    whole = not name.startswith("issues") or name.endswith(".xlsx") or name in (
        "issues--bom-mixed-encoding.csv", "issues--gb18030.csv", "issues--empty.csv",
        "issues--binary-garbage.jsonl")
    if whole:
        assert not (tmp_path / "out.csv").exists() and not (tmp_path / "out.xlsx").exists()


MEMORY_LIMIT = 2 * 1024 ** 3
WORST = ["power-list--zip-bomb.xlsx", "issues--deeply-nested.jsonl", "rules--deeply-nested.toml"]


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


@pytest.mark.parametrize("name", WORST)
def test_the_worst_files_in_a_separate_process_under_limits(name: str, light_catalogs: Path, tmp_path: Path) -> None:
    args = command(name, light_catalogs, tmp_path)
    child = subprocess.run(
        [sys.executable, "-c", "import sys; from powerlist.cli import main; sys.argv[0] = 'powerlist'; main()", *args],
        capture_output=True, text=True, timeout=300, preexec_fn=_limit_memory, cwd=REPO,
    )
    assert child.returncode == 1, child.stderr[-2000:]
    assert "Traceback" not in child.stdout + child.stderr


def test_cases_open_with_an_unreadable_file_opens_nothing(cli: typer.Typer, tmp_path: Path) -> None:
    db = tmp_path / "cases.db"
    result = CliRunner().invoke(cli, ["cases", "open", str(HOSTILE / "issues--truncated.xlsx"), "--db", str(db)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    if db.exists():
        from powerlist.cases.sqlite import SQLiteCaseStore

        store = SQLiteCaseStore(db)
        try:
            assert store.count_cases() == 0
        finally:
            store.close()


# ---- what powerlist writes carries no runnable formula --------------------------------------------


def csv_cells(path: Path) -> Iterator[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.reader(handle):
            yield from row


def assert_inert_xlsx(path: Path) -> None:
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                xml = archive.read(name)
                assert b"<f>" not in xml and b"<f " not in xml, f"{path}: a formula in {name}"
    book = openpyxl.load_workbook(path)
    texts = 0
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{path}: {ws.title}!{cell.coordinate} is a formula"
                texts += isinstance(cell.value, str) and is_dangerous(cell.value)
    assert texts, f"{path}: the hostile values did not reach the output (nothing was tested)"


def assert_inert_csv(path: Path) -> None:
    cells = list(csv_cells(path))
    assert cells
    dangerous = [c for c in cells if is_dangerous(c)]
    assert not dangerous, dangerous
    assert any(c.startswith("'=") for c in cells), "the hostile values did not reach the output"


@pytest.mark.parametrize("name", ["issues--formula-injection.csv", "issues--formula-injection.jsonl",
                                  "issues--formula-after-nfkc.csv", "issues--formula-after-nfkc.jsonl"])
def test_route_outputs_are_inert(name: str, cli: typer.Typer, tmp_path: Path) -> None:
    out_csv, out_xlsx = tmp_path / "out.csv", tmp_path / "out.xlsx"
    for args in (["--format", "csv", "--out", str(out_csv)], ["--format", "xlsx", "--out", str(out_xlsx)]):
        result = CliRunner().invoke(cli, ["route", str(HOSTILE / name), *args])
        assert result.exit_code == 1, result.output  # the last row is rejected (unknown codes)
    assert_inert_csv(out_csv)
    assert_inert_xlsx(out_xlsx)
    stdout = CliRunner().invoke(cli, ["route", str(HOSTILE / name), "--format", "csv"]).stdout
    cells = [c for row in csv.reader(io.StringIO(stdout)) for c in row]
    assert cells and not [c for c in cells if is_dangerous(c)]


@pytest.mark.parametrize("name", ["issues--formula-after-nfkc.csv", "issues--formula-after-nfkc.jsonl"])
def test_csv_neutralises_formula_triggers_after_nfkc_and_invisible_characters(name: str, cli: typer.Typer,
                                                                               tmp_path: Path) -> None:
    """A rejected row repeats its id and category as written: ＝1+1, \\u200b=1+1, \\ufeff@SUM(1) reach the
    CSV as written and must be neutralised there too (a spreadsheet program may normalise or skip them)."""
    out_csv = tmp_path / "out.csv"
    CliRunner().invoke(cli, ["route", str(HOSTILE / name), "--format", "csv", "--out", str(out_csv)])
    cells = list(csv_cells(out_csv))
    for raw in ("＝1+1", "\u200b=1+1", "\ufeff@SUM(1)", "\u2060+1+1", "﹦HYPERLINK(\"http://evil.example\")"):
        assert "'" + raw in cells, (raw, [c for c in cells if raw in c][:3])
        assert raw not in cells


def test_score_report_is_inert(cli: typer.Typer, tmp_path: Path) -> None:
    out = tmp_path / "score.xlsx"
    result = CliRunner().invoke(cli, ["score", "--input", str(HOSTILE / "whistles--formula-injection.csv"),
                                      "--period", "2026", "--json", "--out", str(out)])
    assert result.exit_code == 0, result.output
    json.loads(result.stdout)
    assert_inert_xlsx(out)


def test_audit_report_is_inert(cli: typer.Typer, tmp_path: Path) -> None:
    """Text a workbook may carry that starts like a formula but is data ("-住建", "+86 0714")
    is copied into the audit report as typed text, never as a formula."""
    source = _audit_workbook_with_names(tmp_path, "-住建", "+86 0714")
    out = tmp_path / "audit.xlsx"
    result = CliRunner().invoke(cli, ["audit", str(source), "--json", "--out", str(out)])
    assert result.exit_code in (0, 1) and isinstance(result.exception, SystemExit | None), result.output
    assert_inert_xlsx(out)


def test_audit_refuses_arithmetic_formula_text(cli: typer.Typer, tmp_path: Path) -> None:
    """"-2+3+cmd|' /C calc'!A0" and "+1+1" would run in a spreadsheet: refused on input, located."""
    source = _audit_workbook_with_names(tmp_path, "-2+3+cmd|' /C calc'!A0", "+1+1")
    result = CliRunner().invoke(cli, ["audit", str(source), "--json", "--out", str(tmp_path / "audit.xlsx")])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit | None), result.output
    assert not (tmp_path / "audit.xlsx").exists()
    assert result.output.count("formula-text") == 2, result.output


def _audit_workbook_with_names(tmp_path: Path, first: str, second: str) -> Path:
    book = openpyxl.load_workbook(REPO / "tests" / "data" / "audit" / "base.xlsx")
    ws = book.worksheets[0]
    row, column = next((c.row, c.column) for r in ws.iter_rows(max_row=20) for c in r if c.value == "事项名称")
    ws.cell(row + 1, column).value = first
    ws.cell(row + 2, column).value = second
    source = tmp_path / "delegation.xlsx"
    book.save(source)
    return source


MARKUP_COMMANDS = {
    "route-table": ["route", "{markup}", "--format", "table"],
    "explain": ["explain", "{markup}"],
    "cases-open": ["cases", "open", "{markup}", "--db", "{db}"],
    "cases-show": ["cases", "show", "[/]", "--db", "{db}"],
    "scenarios": ["scenarios", "run", "{scenario}", "--out", "{out}"],
}


@pytest.mark.parametrize("name", sorted(MARKUP_COMMANDS))
def test_user_text_is_never_taken_as_terminal_markup(name: str, cli: typer.Typer, tmp_path: Path) -> None:
    """Human-readable output shows ids and names as written: "[/]" is text, not rich markup."""
    from powerlist.cli import scenarios as scenarios_cli

    if not any(group.name == "scenarios" for group in cli.registered_groups):
        scenarios_cli.register(cli)
    markup = str(HOSTILE / "issues--rich-markup.jsonl")
    db = str(tmp_path / "cases.db")
    scenario = tmp_path / "s.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["工单编号", "受理时间", "问题分类", "发生地点", "场景说明", "预期牵头单位"])
    book.active.append(["[/]", "2026-07-01T09:00", "RX0302", "420202001001", "[bold]x[/]", "[/]"])
    book.save(scenario)
    if name == "cases-show":
        CliRunner().invoke(cli, ["cases", "open", markup, "--db", db, "--json"])
    args = [a.format(markup=markup, db=db, scenario=scenario, out=tmp_path / "r.xlsx") for a in MARKUP_COMMANDS[name]]
    result = CliRunner().invoke(cli, args)
    assert isinstance(result.exception, SystemExit | None), f"{name}: {result.exception!r}"
    assert result.exit_code in (0, 1) and "Traceback" not in result.output


@pytest.mark.parametrize("kind", ["issues", "whistles"])
def test_a_ten_megabyte_csv_cell(kind: str, router: Router, tmp_path: Path) -> None:
    big = "长" * 3_500_000  # ≈ 10 MB of UTF-8
    path = tmp_path / f"{kind}.csv"
    if kind == "issues":
        path.write_text(f"工单编号,受理时间,问题分类,发生地点,问题描述\nHS-1,2026-07-01T09:00,RX0302,420202001001,{big}\n",
                        encoding="utf-8")
        (decision,) = list(router.route_many(read_issues(path)))
        assert decision.status == "rejected" and decision.errors[0].row == 2
    else:
        path.write_text(f"案件编号,街道,责任单位,受理时间\n{big},420202001,U,2026-07-01 09:00\n", encoding="utf-8")
        with pytest.raises(InputError) as caught:
            read_whistles(path)
        assert caught.value.problems[0].row == 2
