"""Build the clerk-made workbooks of tests/data/clerk/ — 经办人做的表.

    .venv/bin/python tests/data/clerk/make_clerk.py

Each workbook is made the way a district clerk makes one by hand: a merged, bold title row
(and a 填报单位 line) above the header, a shaded header with borders and widths, an item's
事项编码 / 事项名称 / 权力类型 / 实施依据 merged down over its street rows, streets written by name
(with or without 街道, after the district's name, with 办事处), several streets in one cell, power
kinds by their short names, Chinese dates, and a signature block after the data.

The expected findings and decisions are NOT produced here: `expected.toml` beside this file is
written by hand, each entry with the reason it is expected, and tests/test_clerk.py compares.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.worksheet import Worksheet

HERE = Path(__file__).resolve().parent
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", start_color="D9D9D9", end_color="D9D9D9")
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _title(ws: Worksheet, text: str, width: int, row: int = 1, size: int = 16) -> None:
    ws.cell(row, 1, text).font = Font(name="宋体", bold=True, size=size)
    ws.cell(row, 1).alignment = CENTRE
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    ws.row_dimensions[row].height = 30 if size >= 14 else 18


def _header(ws: Worksheet, row: int, names: list[str], widths: list[float]) -> None:
    for column, (name, width) in enumerate(zip(names, widths, strict=True), start=1):
        cell = ws.cell(row, column, name)
        cell.font = Font(name="黑体", bold=True)
        cell.fill = HEAD_FILL
        cell.border = BOX
        cell.alignment = CENTRE
        ws.column_dimensions[cell.column_letter].width = width
    ws.freeze_panes = ws.cell(row + 1, 1)


def _block(ws: Worksheet, first: int, merged: dict[int, Any], per_row: list[dict[int, Any]]) -> int:
    """One item over len(per_row) street rows: `merged` columns merged down, the rest per row."""
    last = first + len(per_row) - 1
    for column, value in merged.items():
        ws.cell(first, column, value)
        if last > first:
            ws.merge_cells(start_row=first, start_column=column, end_row=last, end_column=column)
    for offset, values in enumerate(per_row):
        for column, value in values.items():
            ws.cell(first + offset, column, value)
    for row in ws.iter_rows(min_row=first, max_row=last, max_col=ws.max_column):
        for cell in row:
            cell.border = BOX
            cell.alignment = Alignment(vertical="center", wrap_text=True)
    return last + 1


def huangshigang_tuiyi() -> Workbook:
    """黄石港区 · 退役军人事务: the four TY items over the district's four streets."""
    book = Workbook()
    ws = book.active
    ws.title = "承接表"
    names = ["序号", "事项编码", "事项名称", "权力类型", "实施主体", "实施依据", "街道", "承接方式", "备注"]
    _title(ws, "黄石港区街道退役军人事务权责事项承接情况表", len(names))
    _title(ws, "填报单位：黄石港区委编办（盖章）          填报日期：2026年8月1日", len(names), row=2, size=11)
    _header(ws, 3, names, [6, 12, 30, 10, 12, 30, 16, 10, 14])
    streets = ["黄石港街道", "沈家营", "胜阳港街道办事处", "黄石港区花湖街道"]
    row = 4
    row = _block(ws, row, {1: 1, 2: "TY-05-001", 3: "重点优抚对象定期抚恤补助金给付", 4: "行政给付",
                           5: "退役军人事务", 6: "《军人抚恤优待条例》"},
                 [{7: s, 8: "保留区级"} for s in streets])
    # 事项名称 written with a remark the common list does not have (PL702 at the merged C8)
    row = _block(ws, row, {1: 2, 2: "TY-07-001", 3: "退役军人伤残等级评定申请受理（区级审核）", 4: "确认",
                           5: "退役军人事务", 6: "《伤残抚恤管理办法》（退役军人事务部令第1号）"},
                 [{7: s, 8: "下放"} for s in streets])
    # 花湖街道 forgotten: three street rows only (PL601)
    row = _block(ws, row, {1: 3, 2: "TY-08-001", 3: "为烈属、军属和退役军人等家庭悬挂光荣牌", 4: "奖励",
                           5: "退役军人事务",
                           6: "《中华人民共和国退役军人保障法》（2020年）\n《中华人民共和国国防法》"},
                 [{7: s, 8: "下放"} for s in streets[:3]])
    # 实施依据 left empty in its merged cell (PL201 at F15, once)
    row = _block(ws, row, {1: 4, 2: "TY-20-001", 3: "退役军人服务站政策咨询和困难帮扶", 4: "公共服务",
                           5: "退役军人事务", 6: None},
                 [{7: s, 8: "下放", 9: "2026年8月起" if i == 0 else None} for i, s in enumerate(streets)])
    row += 1  # a blank row, then the signature block
    ws.cell(row, 1, "填表人：张三          审核人：李四          联系电话：0714-6221234")
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(names))
    ws.cell(row + 1, 1, "日期：2026年8月1日")
    return book


def xialu_jiaoyu() -> Workbook:
    """下陆区 · 教育: no 事项编码 column (items by name), several streets in one cell, 团城山街道
    left out, one item given twice for one street in two ways."""
    book = Workbook()
    ws = book.active
    ws.title = "下陆区"
    names = ["序号", "事项名称", "权力类型", "实施主体", "实施依据", "街道", "承接方式"]
    _title(ws, "下陆区街道教育领域权责事项承接表（征求意见稿）", len(names))
    _header(ws, 2, names, [6, 40, 12, 10, 36, 36, 10])
    three = "下陆区新下陆街道、东方山、老下陆街道"
    rows = [
        ("实施学前教育及其他文化教育的民办学校（含校外培训机构）办学许可", "许可",
         "《中华人民共和国民办教育促进法》（2018年修正）第十二条", three, "保留区级"),
        ("对擅自举办民办学校（校外培训机构）的处罚", "处罚", "《中华人民共和国民办教育促进法》（2018年修正）第六十四条",
         three, "保留区级"),
        ("对未经登记注册擅自招收幼儿等违反幼儿园管理规定的处罚", "行政处罚", "《幼儿园管理条例》第二十七条", three,
         "保留区级"),
        ("对校外培训机构的监督检查", "检查",
         "《中华人民共和国民办教育促进法》（2018年修正）；《国务院办公厅关于规范校外培训机构发展的意见》（国办发〔2018〕80号）",
         three, "委托"),
        ("组织和督促适龄儿童、少年入学，防止辍学", "其他", "《中华人民共和国义务教育法》第十三条", three, "下放"),
        ("对无正当理由未送适龄子女入学接受义务教育的监护人批评教育、责令限期改正", "其他行政权力",
         "《中华人民共和国义务教育法》第五十八条", three, "下放"),
        # the same item again for 老下陆街道, kept at the district (PL501 at G9)
        ("对无正当理由未送适龄子女入学接受义务教育的监护人批评教育、责令限期改正", "其他行政权力",
         "《中华人民共和国义务教育法》第五十八条", "老下陆街道", "保留区级"),
    ]
    for n, (name, kind, basis, streets, mode) in enumerate(rows, start=1):
        ws.append([n, name, kind, "教育", basis, streets, mode])
    ws.append([])
    ws.append(["注：本表由下陆区委编办汇总，团城山街道另行报送。"])
    return book


def hotline_export() -> Workbook:
    """An issue export a clerk tidied: title, Chinese times, places and categories by name."""
    book = Workbook()
    ws = book.active
    ws.title = "8月工单"
    names = ["工单编号", "受理时间", "问题分类", "街道", "社区", "渠道", "诉求类型", "是否紧急", "问题描述"]
    _title(ws, "黄石港区12345热线工单（2026年8月）", len(names))
    _header(ws, 2, names, [12, 22, 16, 14, 14, 10, 10, 10, 30])
    ws.append(["GD-001", "2026年8月3日 9时05分", "邻里纠纷", "黄石港街道", "纺织社区", "12345热线", "求助", "否",
               "楼上漏水，请社区调解"])
    ws.append(["GD-002", "2026/8/3 上午10:30", "rx0302", "黄石港", None, "12345", "求助", "否", "邻里噪声纠纷"])
    ws.append(["GD-003", "2026.8.4", "BJ0104", None, "420202002001", "数字城管", "投诉", "否", "果皮箱破损"])
    ws.append(["GD-004", "2026年8月4日 下午3时", "邻里纠纷", "黄石港街道", "幸福社区", "12345", "求助", "否",
               "社区名写错"])
    ws.append(["GD-005", "下周一", "邻里纠纷", None, "纺织社区", "12345", "求助", "否", "时间写错"])
    ws.append([])
    ws.append(["制表人：王五", None, "日期：2026年8月5日"])
    return book


def whistles_by_name() -> Workbook:
    """A whistle sheet naming one street three ways and a unit by name, times the Chinese way."""
    book = Workbook()
    ws = book.active
    ws.title = "吹哨记录"
    names = ["案件编号", "街道", "责任单位", "部门", "哨类", "等级", "受理时间", "响应时限", "响应时间", "办结时限",
             "办结时间", "满意度"]
    _title(ws, "黄石港区吹哨报到记录（2026年第三季度）", len(names))
    _header(ws, 2, names, [10, 14, 22, 10, 8, 6, 22, 22, 22, 22, 22, 8])
    ws.append(["W-1", "黄石港街道", "黄石港区城市管理执法局", "城管执法", "日常哨", "C", "2026年7月1日 9时00分",
               "2026年7月2日 23时59分", "2026年7月1日 10时30分", "2026年7月10日 23时59分", "2026年7月6日 下午3时",
               "满意"])
    ws.append(["W-2", "黄石港", "420202-CG", "CG", "日常哨", "C", "2026/7/8 9:00", "2026/7/9 23:59",
               "2026/7/8 11:00", "2026/7/17 23:59", "2026/7/15 17:00", "基本满意"])
    ws.append(["W-3", "420202001", "黄石港区城市管理执法局", "城管", "重点哨", "C", "2026.8.3 09:00", "2026.8.3 23:59",
               "2026.8.3 10:00", "2026.8.10 23:59", "2026.8.7 16:00", "满意"])
    ws.append([])
    ws.append(["填报人：赵六", None, "审核人：钱七"])
    return book


def whistles_typo() -> Workbook:
    """The same sheet with a street name mistyped (黄石岗街道): a located error, not a new street."""
    book = whistles_by_name()
    book.active["B5"] = "黄石岗街道"
    return book


BUILDERS = {
    "huangshigang_tuiyi.xlsx": huangshigang_tuiyi,
    "xialu_jiaoyu.xlsx": xialu_jiaoyu,
    "hotline_export.xlsx": hotline_export,
    "whistles_by_name.xlsx": whistles_by_name,
    "whistles_typo.xlsx": whistles_typo,
}


def main() -> None:
    for name, build in BUILDERS.items():
        build().save(HERE / name)
        print(f"wrote {HERE / name}")


if __name__ == "__main__":
    main()
