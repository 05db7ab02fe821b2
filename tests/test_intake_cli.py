"""`powerlist match train|predict|evaluate`, `powerlist intake`, `powerlist gazetteer`, and intake
output read by `powerlist route` and `powerlist cases open` as it is."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from powerlist.cli import app
from powerlist.cli import cases as cases_cli
from powerlist.cli import gazetteer as gazetteer_cli
from powerlist.cli import intake as intake_cli
from powerlist.cli import match as match_cli
from powerlist.cli import route as route_cli
from powerlist.intake import Matcher

runner = CliRunner()
HISTORY = [
    ("小区门口井盖丢了", "窨井", "井盖"), ("路上井盖破了个洞", "窨井", "井盖"), ("井盖翘起来了很危险", "窨井", "井盖"),
    ("井盖被偷了", "窨井", "井盖"), ("下水道井盖碎了", "窨井", "井盖"), ("人行道井盖松动", "窨井", "井盖"),
    ("路灯不亮了", "照明", "路灯"), ("一排路灯都坏了", "照明", "路灯"), ("路灯晚上一闪一闪", "照明", "路灯"),
    ("巷子里路灯坏了", "照明", "路灯"), ("路灯杆被撞歪", "照明", "路灯"), ("小区路灯好久没亮", "照明", "路灯"),
    ("楼下饭店油烟太大", "油烟", "餐饮"), ("油烟直排熏得家里全是味", "油烟", "餐饮"),
    ("烧烤店油烟扰民", "油烟", "餐饮"), ("饭馆没装油烟净化器", "油烟", "餐饮"),
    ("餐馆排烟管对着窗户", "油烟", "餐饮"), ("火锅店油烟味飘上来", "油烟", "餐饮"),
]


@pytest.fixture(autouse=True, scope="module")
def _commands() -> None:
    groups = {g.name for g in app.registered_groups}
    commands = {c.name for c in app.registered_commands}
    for module, name in ((match_cli, "match"), (gazetteer_cli, "gazetteer"), (cases_cli, "cases")):
        if name not in groups:
            module.register(app)
    if "intake" not in commands:
        intake_cli.register(app)
    if "route" not in commands:
        route_cli.register(app)


def _history_csv(path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["诉求标题", "诉求内容", "问题分类"])
        for text, title, label in HISTORY:
            writer.writerow([title, text, label])
    return path


def test_train_predict_evaluate(tmp_path: Path) -> None:
    history = _history_csv(tmp_path / "history.csv")
    model = tmp_path / "city.json.gz"
    result = runner.invoke(app, ["match", "train", str(history), "--text-column", "诉求标题", "--text-column",
                                 "诉求内容", "--label-column", "问题分类", "--out", str(model), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["rows"] == len(HISTORY) and summary["labels"] == 3 and model.is_file()
    assert Matcher.load(model).labels == ("井盖", "路灯", "餐饮")

    result = runner.invoke(app, ["match", "predict", str(history), "--model", str(model), "--text-column", "诉求内容",
                                 "--top", "2", "--json"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["row"] for line in lines] == list(range(2, len(HISTORY) + 2))  # CSV lines after the header
    assert all(set(line) == {"row", "category", "confidence", "candidates", "needs_review"} for line in lines)
    assert all(len(line["candidates"]) == 2 and 0 <= line["confidence"] <= 1 for line in lines)
    assert sum(line["category"] == label for line, (_, _, label) in zip(lines, HISTORY, strict=True)) >= 15

    report = tmp_path / "report.xlsx"
    result = runner.invoke(app, ["match", "evaluate", str(history), "--text-column", "诉求内容", "--label-column",
                                 "问题分类", "--folds", "3", "--json", "--out", str(report)])
    assert result.exit_code == 0, result.output
    evaluation = json.loads(result.stdout)
    assert evaluation["mode"] == "k-fold" and evaluation["folds"] == 3 and evaluation["rows"] == len(HISTORY)
    assert {p["label"] for p in evaluation["per_label"]} == {"井盖", "路灯", "餐饮"}
    assert len(evaluation["confusion_matrix"]["matrix"]) == 3
    book = load_workbook(report)
    assert book.sheetnames == ["概要", "各类指标", "混淆矩阵"]
    charts: Any = book["各类指标"]
    assert book["混淆矩阵"].conditional_formatting and charts._charts

    result = runner.invoke(app, ["match", "evaluate", str(history), "--model", str(model), "--text-column",
                                 "诉求内容", "--label-column", "问题分类", "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["mode"] == "model"


def test_predict_xlsx_and_jsonl_with_the_shipped_model(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["工单导出（测试）"])
    sheet.append(["编号", "内容"])
    sheet.append(["1", "楼下井盖丢了"])
    sheet.append(["2", "老板拖欠工资三个月"])
    book.save(tmp_path / "texts.xlsx")
    result = runner.invoke(app, ["match", "predict", str(tmp_path / "texts.xlsx"), "--text-column", "内容", "--json"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["row"] for line in lines] == [3, 4]
    assert [line["category"] for line in lines] == ["BJ0101", "RX0101"]
    jsonl = tmp_path / "texts.jsonl"
    jsonl.write_text('{"text": "路灯坏了"}\n{"text": ""}\n', encoding="utf-8")
    result = runner.invoke(app, ["match", "predict", str(jsonl), "--text-column", "text", "--json"])
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines[0]["category"] == "BJ0102" and lines[1]["needs_review"] is True


def test_missing_column_and_missing_labels(tmp_path: Path) -> None:
    history = _history_csv(tmp_path / "history.csv")
    result = runner.invoke(app, ["match", "predict", str(history), "--text-column", "正文", "--json"])
    assert result.exit_code == 1
    errors = json.loads(result.stdout)["errors"]
    assert errors[0]["field"] == "正文" and "诉求内容" in errors[0]["message"]
    gappy = tmp_path / "gappy.csv"
    gappy.write_text("text,label\n井盖丢了,井盖\n路灯坏了,\n", encoding="utf-8")
    args = ["match", "train", str(gappy), "--text-column", "text", "--label-column", "label",
            "--out", str(tmp_path / "m.json")]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 1 and json.loads(result.stdout)["errors"][0]["row"] == 3
    result = runner.invoke(app, [*args, "--skip-incomplete", "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["skipped"] == 1


def _intake_files(tmp_path: Path) -> tuple[Path, Path]:
    hotline = tmp_path / "12345.csv"
    hotline.write_text("工单编号,受理时间,标题,诉求内容,诉求地址\n"
                       "H-1,2026-11-23 09:00,井盖丢失,磁湖路88号门口井盖丢了,磁湖路88号\n"
                       "H-2,2026-11-23 10:00,井盖,磁湖路那个井盖还没盖,磁湖路88号\n"
                       "H-3,2026-11-23 11:00,,,哪里都不是\n", encoding="utf-8")
    grid = tmp_path / "grid.csv"
    grid.write_text("事件编号,上报时间,事件描述,所属社区\nG-1,2026-11-23 09:30,楼道里堆满杂物还有人飞线充电,天虹社区\n",
                    encoding="utf-8")
    return hotline, grid


def test_intake_then_route_and_cases_open(tmp_path: Path) -> None:
    hotline, grid = _intake_files(tmp_path)
    out = tmp_path / "issues.jsonl"
    result = runner.invoke(app, ["intake", str(hotline), str(grid), "--channel", "12345", "--channel", "grid",
                                 "--json", "--out", str(out)])
    assert result.exit_code == 1  # H-3 cannot be matched or placed: listed, not dropped
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["id"] for line in lines] == ["H-1", "H-2", "H-3", "G-1"]
    assert out.read_text(encoding="utf-8").splitlines() == result.stdout.splitlines()
    first, second, bad, grid_line = lines
    assert set(first) >= {"id", "received_at", "category", "location", "channel", "repeat_count", "match", "place",
                          "duplicate_of"}
    assert set(first["match"]) >= {"category", "confidence", "needs_review", "candidates"}
    assert set(first["place"]) >= {"text", "candidates"}
    assert first["category"] == "BJ0101" and first["location"] == "420202002003" and first["repeat_count"] == 1
    assert second["duplicate_of"] == "H-1" and bad["problems"] and bad["category"] is None
    assert grid_line["channel"] == "网格" and grid_line["location"] == "420202001003"

    result = runner.invoke(app, ["route", str(out), "--format", "jsonl"])
    decisions = [json.loads(line) for line in result.stdout.splitlines()]
    assert [d["status"] for d in decisions] == ["routed", "routed", "rejected", "routed"]

    db = tmp_path / "cases.db"
    result = runner.invoke(app, ["cases", "open", str(out), "--db", str(db), "--json"])
    assert result.exit_code == 1  # H-3 is rejected
    opened: dict[str, Any] = json.loads(result.stdout)
    assert sorted(c["case_id"] for c in opened["cases"]) == ["G-1", "H-1"]
    assert opened["linked"] == [{"issue_id": "H-2", "duplicate_of": "H-1", "case_open": True}]
    assert [r["issue_id"] for r in opened["rejected"]] == ["H-3"]


def test_intake_usage_errors(tmp_path: Path) -> None:
    hotline, grid = _intake_files(tmp_path)
    result = runner.invoke(app, ["intake", str(hotline), "--channel", "fax"])
    assert result.exit_code == 2
    result = runner.invoke(app, ["intake", str(hotline), str(grid), str(hotline), "--channel", "12345",
                                 "--channel", "grid"])
    assert result.exit_code == 2
    result = runner.invoke(app, ["intake", str(hotline), "--channel", "szcg", "--json"])
    assert result.exit_code == 1 and json.loads(result.stdout)["errors"][0]["code"] == "missing-column"


def test_gazetteer_commands(tmp_path: Path) -> None:
    template = tmp_path / "g.xlsx"
    assert runner.invoke(app, ["gazetteer", "template", str(template)]).exit_code == 0
    assert runner.invoke(app, ["gazetteer", "template", str(template)]).exit_code == 1  # exists
    result = runner.invoke(app, ["gazetteer", "check", str(template), "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["rows"] == 0
    result = runner.invoke(app, ["gazetteer", "resolve", "磁湖路88号", "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout)[0]["community"] == "420202002003"
    result = runner.invoke(app, ["gazetteer", "resolve", "不知道哪里", "--json"])
    assert result.exit_code == 1 and json.loads(result.stdout)[0]["unresolved"] is True
