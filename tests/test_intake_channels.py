"""Every channel adapter on an export written by hand (openpyxl / csv), through the whole intake:
id kept, time read, text matched, address placed, problems listed."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from powerlist.errors import InputError
from powerlist.intake import CHANNELS, Gazetteer, Intake, IntakeRecord, Matcher, read_channel
from powerlist.routing.issue import SHANGHAI, Channel, RequestKind


@pytest.fixture(scope="module")
def intake(catalog: Any) -> Intake:
    return Intake(Matcher.default(), Gazetteer.default(catalog))


def xlsx(path: Path, header: list[str], rows: list[list[Any]], title: str | None = None) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "导出"
    if title:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def write_csv(path: Path, header: list[str], rows: list[list[Any]], encoding: str = "utf-8-sig") -> Path:
    with path.open("w", encoding=encoding, newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def run(intake: Intake, path: Path, code: str, encoding: str = "utf-8") -> list[IntakeRecord]:
    spec = CHANNELS[code]
    return intake.run([(spec, row) for row in read_channel(path, spec, encoding)])


def candidates(record: IntakeRecord) -> list[str]:
    assert record.match is not None
    return [c.category for c in record.match.candidates]


def test_12345_hotline_xlsx_with_title_row(tmp_path: Path, intake: Intake) -> None:
    path = xlsx(tmp_path / "12345.xlsx",
                ["工单编号", "受理时间", "标题", "诉求内容", "诉求地址", "联系电话", "诉求类型", "紧急程度"],
                [["HS12345-20261123-0001", datetime(2026, 11, 23, 9, 5), "井盖丢失",
                  "来电人反映磁湖路88号门口下水道井盖被人偷了，晚上很危险", "磁湖路88号", "13800001111", "投诉",
                  "紧急"],
                 ["HS12345-20261123-0002", "2026/11/23 10:30", "噪音扰民", "楼上每天半夜蹦迪吵得睡不着",
                  "丽岛花园5栋", "13900002222", "投诉", "一般"]],
                title="黄石市12345热线工单导出（2026年11月）")
    first, second = run(intake, path, "12345")
    assert first.id == "HS12345-20261123-0001" and first.spec.channel is Channel.HOTLINE
    assert first.received_at == datetime(2026, 11, 23, 9, 5, tzinfo=SHANGHAI)
    assert "BJ0101" in candidates(first) and first.location == "420202002003"
    assert first.request_kind is RequestKind.COMPLAINT and first.emergency
    assert "RX0301" in candidates(second) and not second.emergency and second.ok
    issue = first.issue()
    assert issue is not None and issue.id == first.id and issue.channel is Channel.HOTLINE
    line = first.as_json()
    assert "13800001111" not in json.dumps(line, ensure_ascii=False)  # the caller's phone is never written out
    assert line["source"] == {"channel": "12345", "file": str(path), "sheet": "导出", "row": 3}


def test_12345_aliases_and_gb18030_csv(tmp_path: Path, intake: Intake) -> None:
    path = write_csv(tmp_path / "12345.csv", ["工单号", "来电时间", "工单标题", "来电内容", "事发地址", "来电号码"],
                     [["A-1", "2026年11月24日 8时30分", "路灯", "小区门口路灯一整排都不亮", "杭州东路120号",
                       "0714-1234567"]],
                     encoding="gb18030")
    (record,) = run(intake, path, "12345", encoding="gb18030")
    assert record.id == "A-1" and record.received_at == datetime(2026, 11, 24, 8, 30, tzinfo=SHANGHAI)
    assert "BJ0102" in candidates(record) and record.location == "420204004001"


def test_digital_city_case_gbt30428_fields(tmp_path: Path, intake: Intake) -> None:
    path = xlsx(tmp_path / "szcg.xlsx",
                ["任务号", "问题来源", "上报时间", "问题类型", "大类名称", "小类名称", "问题描述", "位置描述",
                 "所属街道", "所属社区", "万米单元网格", "X坐标", "Y坐标"],
                [["SZCG2026112300017", "监督员上报", "2026-11-23 14:20:00", "部件", "公用设施", "污水井盖",
                  "井盖破损，有塌陷危险", "八泉路15号对面", "八泉街道", "", "420203002001-03", 512345.2, 3343210.8],
                 ["SZCG2026112300018", "公众举报", "2026-11-23 15:00:00", "事件", "街面秩序", "占道经营",
                  "水果摊占道经营，堵了人行道", "花湖大道30号", "", "花湖社区", "", "", ""]])
    first, second = run(intake, path, "szcg")
    assert first.id == "SZCG2026112300017" and first.spec.channel is Channel.DIGITAL_CITY
    assert "公用设施 污水井盖" in first.text and "BJ0101" in candidates(first)
    assert first.location == "420203002001" and first.point is None  # projected X/Y are not degrees: not used
    assert any(step["rule"] == "intake.coordinates" for step in first.trace)
    assert "SJ0501" in candidates(second) and second.location == "420202004001"


def test_xueliang_video_alarm_with_coordinates(tmp_path: Path, intake: Intake) -> None:
    path = write_csv(tmp_path / "xueliang.csv",
                     ["告警编号", "告警时间", "告警类型", "告警描述", "点位名称", "设备编号", "经度", "纬度"],
                     [["XL-9001", "2026-11-25 21:14:05", "占道经营", "检测到人行道有摊贩占道经营",
                       "万达广场东门球机", "42020400001310001", "115.0401", "30.2003"],
                      ["XL-9002", "2026-11-25 21:30:00", "垃圾堆放", "路边发现暴露垃圾堆积",
                       "万达广场东门球机", "42020400001310001", "115.0402", "30.2003"]])
    first, second = run(intake, path, "xueliang")
    assert first.spec.channel is Channel.VIDEO and first.point == (115.0401, 30.2003)
    assert "SJ0501" in candidates(first) and first.location == "420204004001"
    assert "SJ0101" in candidates(second)


def test_xinfang_petition(tmp_path: Path, intake: Intake) -> None:
    path = xlsx(tmp_path / "xinfang.xlsx",
                ["信访件编号", "登记日期", "信访目的", "信访标题", "主要诉求", "问题属地", "信访人", "联系电话"],
                [["XF420200-2026-0311", "2026-11-20", "求决", "讨要工资", "包工头拖欠我们十几个工人三个月工资",
                  "东岳路街道东岳社区", "张某", "13700003333"]])
    (record,) = run(intake, path, "xinfang")
    assert record.id == "XF420200-2026-0311" and record.spec.channel is Channel.PETITION
    assert record.received_at == datetime(2026, 11, 20, tzinfo=SHANGHAI)
    assert record.request_kind is RequestKind.HELP
    assert {"RX0101", "ZD0105"} & set(candidates(record)) and record.location == "420281001001"


def test_110_non_police_transfer(tmp_path: Path, intake: Intake) -> None:
    path = write_csv(tmp_path / "110.csv", ["警情编号", "接警时间", "警情类别", "报警内容", "发案地址", "报警电话"],
                     [["J4202002026112500123", "2026-11-25 23:40", "非警务类-噪声扰民",
                       "报警人称楼下酒吧声音太大吵到凌晨", "胜阳港路66号", "15800004444"]])
    (record,) = run(intake, path, "110")
    assert record.spec.channel is Channel.POLICE and record.id == "J4202002026112500123"
    assert "RX0301" in candidates(record) and record.location == "420202003002"


def test_grid_event_jsonl(tmp_path: Path, intake: Intake) -> None:
    path = tmp_path / "grid.jsonl"
    path.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in [
        {"事件编号": "WG-2026-1123-07", "上报时间": "2026-11-23T16:00:00+08:00", "事件类型": "楼道堆物",
         "事件描述": "3栋楼道堆满纸箱，有人飞线充电", "所属网格": "天虹社区第二网格", "所属社区": "天虹社区"},
    ]) + "\n", encoding="utf-8")
    (record,) = run(intake, path, "grid")
    assert record.spec.channel is Channel.GRID and record.id == "WG-2026-1123-07"
    assert "RX0309" in candidates(record) and record.location == "420202001003"


def test_a_channel_coded_category_is_kept(tmp_path: Path, intake: Intake) -> None:
    path = write_csv(tmp_path / "coded.csv", ["工单编号", "受理时间", "问题分类", "诉求内容", "诉求地址"], [
        ["C-1", "2026-11-23 09:00", "RX0301", "反映一下情况", "磁湖路88号"],
        ["C-2", "2026-11-23 09:00", "油烟扰民", "反映一下情况", "磁湖路88号"],
        ["C-3", "2026-11-23 09:00", "道路问题", "井盖丢了", "磁湖路88号"],
    ])
    coded, named, free = run(intake, path, "12345")
    assert (coded.category, coded.given_category) == ("RX0301", True)
    assert (named.category, named.given_category) == ("SJ0104", True)
    assert free.given_category is False and free.category == "BJ0101" and "道路问题" in free.text


def test_bad_rows_are_listed_not_dropped(tmp_path: Path, intake: Intake) -> None:
    path = write_csv(tmp_path / "bad.csv", ["工单编号", "受理时间", "诉求内容", "诉求地址"], [
        ["", "2026-11-23 09:00", "井盖丢了", "磁湖路88号"],
        ["B-2", "下周一", "井盖丢了", "磁湖路88号"],
        ["B-3", "2026-11-23 09:00", "", "磁湖路88号"],
        ["B-4", "2026-11-23 09:00", "井盖丢了", "不知道在哪"],
        ["B-4", "2026-11-23 10:00", "路灯坏了", "磁湖路88号"],
    ])
    records = run(intake, path, "12345")
    codes = [[p.code for p in r.problems] for r in records]
    assert codes == [["missing-id"], ["bad-time"], ["no-text"], ["unresolved-place"], ["duplicate-id"]]
    cells = [[p.cell for p in r.problems] for r in records]
    assert cells == [["A2"], ["B3"], ["C4"], ["D5"], ["A6"]]
    assert all(r.issue() is None for r in records)
    assert records[3].as_json()["location"] is None and records[2].as_json()["category"] is None


@pytest.mark.parametrize("code", sorted(CHANNELS))
def test_a_header_without_id_or_time_is_refused(tmp_path: Path, code: str) -> None:
    path = write_csv(tmp_path / "x.csv", ["随便", "内容"], [["1", "2"]])
    with pytest.raises(InputError) as error:
        list(read_channel(path, CHANNELS[code]))
    assert {"source_id", "received_at"} <= {p.field for p in error.value.problems}


def test_channel_vocabularies_do_not_collide() -> None:
    from powerlist.sheets.headers import normalise_header

    for spec in CHANNELS.values():
        seen: dict[str, str] = {}
        for name, aliases in spec.all_fields.items():
            for alias in aliases:
                assert seen.setdefault(normalise_header(alias), name) == name, (spec.code, alias)
