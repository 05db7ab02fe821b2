"""Files in and out (issue 12): no command overwrites one of its inputs (by device and inode),
every output is atomic, and a missing directory, a directory, a read-only file, a full device or
a read-only file system is one located line in Chinese and English, never a traceback; bad
arguments (non-UTF-8 bytes, periods, times that overflow) are clear errors.

ENOSPC and EROFS are produced for real, on a small tmpfs mounted for the test (the suite runs as
root in CI); where mounting is not permitted the test says why instead of passing."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
import typer
from typer.testing import CliRunner

from powerlist.cli import audit as audit_cli
from powerlist.cli import cases as cases_cli
from powerlist.cli import catalog as catalog_cli
from powerlist.cli import route as route_cli
from powerlist.cli import scenarios as scenarios_cli
from powerlist.cli import score as score_cli
from powerlist.errors import FileError
from powerlist.sheets.output import Outputs, atomic_text, check_outputs, save_workbook

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
AUDIT = REPO / "tests" / "data" / "audit"
HOSTILE = REPO / "tests" / "data" / "hostile"
WHISTLES = HOSTILE / "whistles--formula-injection.csv"


@pytest.fixture(scope="module")
def cli() -> typer.Typer:
    app = typer.Typer(pretty_exceptions_enable=False)
    for module in (catalog_cli, route_cli, score_cli, cases_cli, audit_cli, scenarios_cli):
        module.register(app)
    return app


def invoke(cli: typer.Typer, *args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert isinstance(result.exception, SystemExit | None), f"{args}: {result.exception!r}\n{result.output}"
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def leftovers(directory: Path) -> list[str]:
    """Temporary files an output left behind."""
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".part"))


# ---- an output is never an input -----------------------------------------------------------------


def whistle_workbook(path: Path) -> Path:
    book = openpyxl.Workbook()
    with WHISTLES.open(encoding="utf-8-sig") as handle:
        for line in handle:
            book.active.append(line.rstrip("\n").replace('"', "").split(","))
    book.save(path)
    return path


def overwrite_cases(tmp: Path) -> dict[str, tuple[list[str | Path], Path]]:
    """name → (arguments, the input the output would destroy)."""
    issues = shutil.copy(EXAMPLES / "issues.jsonl", tmp / "issues.jsonl")
    delegation = shutil.copy(AUDIT / "base.xlsx", tmp / "delegation.xlsx")
    proposed = shutil.copy(AUDIT / "base.xlsx", tmp / "proposed.xlsx")
    scenario = shutil.copy(EXAMPLES / "scenarios.xlsx", tmp / "scenarios.xlsx")
    whistles = whistle_workbook(tmp / "whistles.xlsx")
    linked = tmp / "linked.jsonl"
    os.link(issues, linked)
    symlink = tmp / "symlink.xlsx"
    symlink.symlink_to(scenario)
    catalogs = shutil.copytree(REPO / "catalogs", tmp / "catalogs")
    return {
        "audit F --out F": (["audit", delegation, "--out", delegation], Path(delegation)),
        "audit B --history H --out H": (["audit", delegation, "--history", issues, "--out", issues], Path(issues)),
        "audit --what-if W --history H --out W": (
            ["audit", "--what-if", proposed, "--history", issues, "--out", proposed], Path(proposed)),
        "score --input W --out W": (["score", "--input", whistles, "--period", "2026", "--out", whistles], whistles),
        "route S --out (hard link to S)": (["route", issues, "--out", linked], Path(issues)),
        "route --out a catalog workbook": (
            ["route", issues, "--catalogs", catalogs, "--format", "xlsx", "--out", catalogs / "power_list.xlsx"],
            catalogs / "power_list.xlsx"),
        "scenarios --out (symlink to the input)": (["scenarios", "run", scenario, "--out", symlink], Path(scenario)),
    }


CASES = ["audit F --out F", "audit B --history H --out H", "audit --what-if W --history H --out W",
         "score --input W --out W", "route S --out (hard link to S)", "route --out a catalog workbook",
         "scenarios --out (symlink to the input)"]


@pytest.mark.parametrize("name", CASES)
def test_no_command_overwrites_its_input(name: str, cli: typer.Typer, tmp_path: Path) -> None:
    args, victim = overwrite_cases(tmp_path)[name]
    before = victim.read_bytes()
    code, output = invoke(cli, *args)
    assert code == 2, output
    assert "output-is-input" in output or "输出会覆盖输入文件" in output, output
    assert victim.read_bytes() == before
    assert not leftovers(victim.parent)


def test_the_template_never_overwrites_the_shipped_catalogs(cli: typer.Typer) -> None:
    before = {p.name: p.read_bytes() for p in (REPO / "catalogs").glob("*.xlsx")}
    code, output = invoke(cli, "catalog", "template", REPO / "catalogs", "--force")
    assert code == 2 and "输出会覆盖输入文件" in output, output
    assert {p.name: p.read_bytes() for p in (REPO / "catalogs").glob("*.xlsx")} == before


def test_identity_is_by_inode_not_by_name(tmp_path: Path) -> None:
    source = tmp_path / "a.csv"
    source.write_text("x\n", encoding="utf-8")
    os.link(source, tmp_path / "b.csv")
    with pytest.raises(FileError) as caught:
        check_outputs([tmp_path / "b.csv"], [source])
    assert caught.value.problems[0].code == "output-is-input" and caught.value.problems[0].value == str(source)
    with pytest.raises(FileError):
        check_outputs([tmp_path / "." / "a.csv"], [source])
    check_outputs([tmp_path / "new.csv", None], [source, None])  # a new file is no input


# ---- atomic outputs ----------------------------------------------------------------------------


def test_a_failure_half_way_leaves_the_old_output_and_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("the previous report\n", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_text(target) as handle:
        handle.write("half of a new report\n")
        raise RuntimeError("a crash half-way")
    assert target.read_text(encoding="utf-8") == "the previous report\n"
    assert not leftovers(tmp_path)


def test_an_encoding_error_half_way_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    with pytest.raises(UnicodeEncodeError), atomic_text(target, encoding="gb2312") as handle:
        handle.write("第一行\n")
        handle.write("😀\n")
    assert not target.exists() and not leftovers(tmp_path)


def test_several_outputs_are_committed_together(tmp_path: Path) -> None:
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    with pytest.raises(RuntimeError), Outputs() as outputs:
        with outputs.text(first) as handle:
            handle.write("a")
        with outputs.text(second) as handle:
            handle.write("b")
        raise RuntimeError("the third failed")
    assert not first.exists() and not second.exists() and not leftovers(tmp_path)
    with Outputs() as outputs:
        with outputs.text(first) as handle:
            handle.write("a")
        assert not first.exists()  # nothing in place before the whole group is done
    assert first.read_text() == "a"


def test_a_replaced_file_keeps_its_permissions_and_a_symlink_its_target(tmp_path: Path) -> None:
    real = tmp_path / "real.csv"
    real.write_text("old", encoding="utf-8")
    real.chmod(0o640)
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    with atomic_text(link) as handle:
        handle.write("new")
    assert link.is_symlink() and real.read_text() == "new" and (real.stat().st_mode & 0o777) == 0o640


def test_the_template_onto_a_file_or_existing_workbooks(cli: typer.Typer, tmp_path: Path) -> None:
    afile = tmp_path / "catalogs"
    afile.write_text("not a directory", encoding="utf-8")
    code, output = invoke(cli, "catalog", "template", afile)
    assert code == 1 and "不是目录" in output and "not a directory" in output, output
    assert afile.read_text(encoding="utf-8") == "not a directory"
    directory = tmp_path / "new"
    assert invoke(cli, "catalog", "template", directory)[0] == 0
    before = {p.name: p.read_bytes() for p in directory.iterdir()}
    code, output = invoke(cli, "catalog", "template", directory)
    assert code == 1 and "已存在" in output and "--force" in output, output
    assert {p.name: p.read_bytes() for p in directory.iterdir()} == before


OUTPUTS = {
    "route csv": ["route", EXAMPLES / "issues.jsonl", "--format", "csv", "--out", "{out}"],
    "route xlsx": ["route", EXAMPLES / "issues.jsonl", "--format", "xlsx", "--out", "{out}"],
    "route table": ["route", EXAMPLES / "issues.jsonl", "--format", "table", "--out", "{out}"],
    "audit": ["audit", AUDIT / "base.xlsx", "--out", "{out}"],
    "score": ["score", "--input", WHISTLES, "--period", "2026", "--out", "{out}"],
    "scenarios": ["scenarios", "run", EXAMPLES / "scenarios.xlsx", "--out", "{out}"],
}
SUFFIX = {"route csv": ".csv", "route table": ".jsonl"}


def args_for(name: str, out: Path) -> list[str | Path]:
    return [str(out) if a == "{out}" else a for a in OUTPUTS[name]]


@pytest.mark.parametrize("name", sorted(OUTPUTS))
def test_bad_output_paths_are_one_located_line(name: str, cli: typer.Typer, tmp_path: Path) -> None:
    suffix = SUFFIX.get(name, ".xlsx")
    missing = tmp_path / "no-such-directory" / f"out{suffix}"
    code, output = invoke(cli, *args_for(name, missing))
    assert code == 1 and "不存在" in output and "does not exist" in output and str(missing) in output, output
    directory = tmp_path / f"a-directory{suffix}"
    directory.mkdir()
    code, output = invoke(cli, *args_for(name, directory))
    assert code == 1 and "是一个目录" in output and "is a directory" in output, output
    read_only = tmp_path / f"read-only{suffix}"
    read_only.write_bytes(b"keep me")
    read_only.chmod(0o444)
    code, output = invoke(cli, *args_for(name, read_only))
    assert code == 1 and "只读" in output and "read-only" in output, output
    assert read_only.read_bytes() == b"keep me"
    assert not leftovers(tmp_path)


def test_a_read_only_input_is_read(cli: typer.Typer, tmp_path: Path) -> None:
    source = shutil.copy(EXAMPLES / "issues.jsonl", tmp_path / "issues.jsonl")
    Path(source).chmod(0o444)
    code, output = invoke(cli, "route", source, "--out", tmp_path / "out.jsonl")
    assert code == 0, output
    assert (tmp_path / "out.jsonl").read_text(encoding="utf-8").count("\n") == len(
        Path(source).read_text(encoding="utf-8").splitlines())


def test_a_full_device_stream_is_one_located_line(cli: typer.Typer) -> None:
    if not Path("/dev/full").exists():
        pytest.fail("/dev/full is missing: every Linux system has it")
    code, output = invoke(cli, "route", EXAMPLES / "issues.jsonl", "--format", "csv", "--out", "/dev/full")
    assert code == 1 and "设备空间已满" in output and "no space left" in output and "/dev/full" in output, output


# ---- a real full disk and a real read-only file system (tmpfs) ----------------------------------


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 256 KiB tmpfs, unmounted after the test. Mounting needs root (CAP_SYS_ADMIN): in CI it
    must work; elsewhere the test fails saying why, rather than passing without testing."""
    root = tmp_path / "tmpfs"
    root.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k,mode=0755", "tmpfs", str(root)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        reason = (f"cannot mount a tmpfs to test ENOSPC/EROFS (needs root or CAP_SYS_ADMIN): "
                  f"{mounted.stderr.strip() or mounted.returncode}")
        if os.environ.get("CI") or os.geteuid() == 0:
            pytest.fail(reason)
        pytest.skip(reason)
    try:
        yield root
    finally:
        subprocess.run(["umount", "-l", str(root)], check=True)


def fill(root: Path, leave: int = 0) -> Path:
    """Fill the file system at `root` until the kernel says ENOSPC, then free `leave` bytes; the
    filler is returned."""
    filler = root / "filler"
    with filler.open("wb", buffering=0) as handle:  # unbuffered: closing writes nothing more
        block = b"\0" * 4096
        try:
            while True:
                handle.write(block)
        except OSError as error:
            assert error.errno == errno.ENOSPC, error
    if leave:
        os.truncate(filler, max(filler.stat().st_size - leave, 0))
    return filler


@pytest.mark.parametrize("name", sorted(OUTPUTS))
def test_a_full_disk_leaves_no_half_written_output(name: str, cli: typer.Typer, tmpfs: Path) -> None:
    target = tmpfs / f"out{SUFFIX.get(name, '.xlsx')}"
    target.write_bytes(b"the previous output")
    fill(tmpfs)
    code, output = invoke(cli, *args_for(name, target))
    assert code == 1 and "设备空间已满" in output and "no space left on the device" in output, output
    assert str(target) in output
    assert target.read_bytes() == b"the previous output"
    assert not leftovers(tmpfs)


def test_a_full_disk_for_the_template_leaves_no_workbook(cli: typer.Typer, tmpfs: Path) -> None:
    fill(tmpfs, leave=12 * 1024)  # room for a workbook or two, not all five
    code, output = invoke(cli, "catalog", "template", tmpfs)
    assert code == 1 and "no space left" in output, output
    assert sorted(p.name for p in tmpfs.iterdir()) == ["filler"]


def test_a_read_only_file_system_is_one_located_line(cli: typer.Typer, tmpfs: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    code, output = invoke(cli, "route", EXAMPLES / "issues.jsonl", "--out", tmpfs / "out.jsonl")
    assert code == 1 and "文件系统只读" in output and "read-only file system" in output, output
    assert not (tmpfs / "out.jsonl").exists()


def test_a_workbook_saved_onto_a_full_disk_raises_file_error(tmpfs: Path) -> None:
    fill(tmpfs)
    book = openpyxl.Workbook()
    book.active.append(["x" * 1000] * 100)
    with pytest.raises(FileError) as caught:
        save_workbook(book, tmpfs / "book.xlsx")
    assert caught.value.problems[0].code == "os-enospc" and caught.value.problems[0].file == str(tmpfs / "book.xlsx")


# ---- arguments --------------------------------------------------------------------------------------


def run_powerlist(*args: bytes) -> subprocess.CompletedProcess[bytes]:
    code = "import sys; from powerlist.cli import main; sys.argv[0] = 'powerlist'; main()"
    return subprocess.run([sys.executable.encode(), b"-c", code.encode(), *args], capture_output=True, cwd=REPO,
                          timeout=300)


def test_non_utf8_bytes_in_arguments_are_a_usage_error() -> None:
    for args in ([b"route", b"issues-\xff.jsonl"], [b"cases", b"record", b"HS-\xfe1", b"respond", b"--at",
                                                    b"2026-07-01T10:00", b"--db", b"x.db"]):
        child = run_powerlist(*args)
        stderr = child.stderr.decode("utf-8")
        assert child.returncode == 2, stderr
        assert "不是 UTF-8" in stderr and "not UTF-8" in stderr and "\\x" in stderr, stderr
        assert "Traceback" not in stderr


@pytest.mark.parametrize("period", ["99999", "0999", "9999Q4", "2026Q5", "20267"])
def test_bad_periods_are_clear_errors(period: str, cli: typer.Typer) -> None:
    code, output = invoke(cli, "score", "--input", WHISTLES, "--period", period)
    assert code == 1 and "period" in output, output


# Chinese-written times go through the same parser as every reader (sheets/timetext), then the
# same range check (routing/instants).
@pytest.mark.parametrize(("option", "value"), [("--now", "0001-01-01T00:00"), ("--now", "9999-12-31T23:59:59"),
                                                ("--now", "9999年12月31日 23时59分"), ("--until", "9999-12-31T23:59"),
                                                ("--until", "9999/12/31 23:59")])
def test_times_that_overflow_are_located_rejections(option: str, value: str, cli: typer.Typer,
                                                    tmp_path: Path) -> None:
    db = tmp_path / "cases.db"
    issue = tmp_path / "one.jsonl"
    issue.write_text(EXAMPLES.joinpath("issues.jsonl").read_text(encoding="utf-8").splitlines()[0] + "\n",
                     encoding="utf-8")
    assert invoke(cli, "cases", "open", issue, "--db", db)[0] == 0
    case_id = json.loads(issue.read_text(encoding="utf-8"))["id"]
    if option == "--now":
        code, output = invoke(cli, "cases", "tick", "--now", value, "--db", db, "--json")
    else:
        code, output = invoke(cli, "cases", "record", case_id, "extend", "--at", "2026-12-01T10:00",
                              "--until", value, "--db", db, "--json")
    assert code == 1, output
    error = json.loads(output)["errors"][0]
    assert error["field"] == option and error["code"] == "time-out-of-range" and error["value"] == value


@pytest.mark.parametrize("value", ["9999-12-31T23:59:59", "0001年1月1日"])
def test_score_as_of_that_overflows_is_a_located_rejection(value: str, cli: typer.Typer) -> None:
    code, output = invoke(cli, "score", "--input", WHISTLES, "--period", "2026Q3", "--as-of", value, "--json")
    assert code == 1, output
    error = json.loads(output)["errors"][0]
    assert error["field"] == "--as-of" and error["code"] == "time-out-of-range" and error["value"] == value
    assert error["message"].startswith("时间"), error


def test_cases_open_refuses_a_lone_surrogate_and_opens_the_rest(cli: typer.Typer, tmp_path: Path) -> None:
    db = tmp_path / "cases.db"
    code, output = invoke(cli, "cases", "open", HOSTILE / "issues--lone-surrogate.jsonl", "--db", db, "--json")
    assert code == 1, output
    payload = json.loads(output)
    assert [c["case_id"] for c in payload["cases"]] == ["HS-4"]
    assert [r["issue_id"] for r in payload["rejected"]] == ["HS-\\udfff", "HS-2", "HS-3"]


def test_jsonl_output_keeps_line_separators_inside_its_lines(cli: typer.Typer, tmp_path: Path) -> None:
    source = tmp_path / "ls.jsonl"
    row = {"received_at": "2026-07-01T09:00:00", "category": "RX0302", "location": "420202001001"}
    source.write_text("\n".join(json.dumps({**row, "id": f"A\u2028{n}\u2029\u0085B"}, ensure_ascii=False)
                                for n in range(3)) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert invoke(cli, "route", source, "--out", out)[0] == 0
    text = out.read_text(encoding="utf-8")
    assert "\u2028" not in text and "\\u2028" in text
    expected = [f"A\u2028{n}\u2029\u0085B" for n in range(3)]
    assert [json.loads(line)["issue_id"] for line in text.splitlines()] == expected
