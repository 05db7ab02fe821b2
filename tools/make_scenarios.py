"""Write examples/scenarios.xlsx: scenarios over the shipped catalogs, expectations derived by hand.

    python tools/make_scenarios.py [OUT.xlsx]

Every expected value below was worked out from rules/routing.toml and rules/deadlines.toml and
the shipped catalogs (which unit holds which power for which street), not copied from the
router; each row's 场景说明 says which rows of the tables decide it. Together the rows cover
every whistle kind (日常哨, 重点哨, 协调哨, 应急哨), every grade (A–D) and every delegation mode
of the shipped catalogs (下放, 委托, 派驻, 保留区级, 保留市级, and no power at all), plus the
emergency floor, a repeated issue raised one grade (a stationed 派出所's climbing to the district
公安分局, issue 11), a limit across the National Day holiday
(调休), and an invalid issue expected to be rejected.

Working days (rules/deadlines.toml): the day of receipt never counts; a limit of N working days
ends at 23:59:59 on the N-th working day after it. Received on Wednesday 2026-07-01 09:00:
1 working day → Thu 07-02 23:59:59; 2 → Fri 07-03; 10 → Wed 07-15 (07-02, 03, 06, 07, 08, 09,
10, 13, 14, 15); 15 → Wed 07-22 (then 07-16, 17, 20, 21, 22). 30 minutes → 09:30:00; 24 hours
→ Thu 07-02 09:00:00. Received Wed 2026-09-30 16:00, before 国庆 (10-01 to 10-07 off, Sat
10-10 worked): 1 working day → Thu 10-08, 2 → Fri 10-09.

Places: 黄石港街道 420202001 (黄石港区 420202) and its 纺织社区 420202001001; 东岳路街道
420281001 (大冶市); 铁山街道 420205002 (开发区·铁山区 420205).
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

ROOT = Path(__file__).resolve().parent.parent
ISSUE_COLUMNS = ["工单编号", "受理时间", "问题分类", "发生地点", "诉求类型", "是否紧急", "重点工作", "需要执法",
                 "重复次数", "问题描述"]
EXPECTED_COLUMNS = ["预期结果", "预期哨类", "预期等级", "预期层级", "预期牵头单位", "预期协办单位", "预期响应时限",
                    "预期办结时限"]
JULY = datetime(2026, 7, 1, 9, 0)
R1, R2 = "2026-07-02 23:59:59", "2026-07-03 23:59:59"  # 1 and 2 working days after JULY
C10, C15 = "2026-07-15 23:59:59", "2026-07-22 23:59:59"  # 10 and 15 working days after JULY
M30, H24 = "2026-07-01 09:30:00", "2026-07-02 09:00:00"  # 30 minutes, 24 hours after JULY
STREET, COMMUNITY = "420202001", "420202001001"

# id, received, category, location, request kind, emergency, key work, enforcement, repeats,
# description, scenario, then the expectations: status, whistle, grade, level, lead, co-units,
# respond by, complete by ("" = not checked)
SCENARIOS: list[tuple[object, ...]] = [
    ("SC-01", JULY, "RX0302", COMMUNITY, "求助", "", "", "", 0, "邻里漏水纠纷",
     "无需权力、地点为社区：whistle.ordinary → lead.community（A级，社区牵头）；日常哨求助 1/10 个工作日",
     "派单", "日常哨", "A", "社区", COMMUNITY, "无", R1, C10),
    ("SC-02", JULY, "RX0414", STREET, "咨询", "", "", "", 0, "咨询便民服务",
     "无需权力、地点为街道：lead.street-location（B级，街道办事处）；咨询 1/2 个工作日",
     "", "daily", "B", "street", STREET, "无", R1, R2),
    ("SC-03", JULY, "BJ0103", COMMUNITY, "求助", "", "", "", 0, "消火栓被圈占",
     "委托：XF-02-001-04 对黄石港街道为委托 → lead.entrusted（B级，街道办事处以部门名义）",
     "", "日常哨", "B", "街道", "黄石港街道办事处", "无", R1, C10),
    ("SC-04", JULY, "BJ0103", "420281001", "投诉", "", "", "", 0, "消火栓损坏",
     "下放：XF-02-001-04 下放东岳路街道 → lead.delegated（B级，东岳路街道办事处）；投诉 15 个工作日",
     "", "daily", "B", "street", "420281001", "", R1, C15),
    ("SC-05", JULY, "BJ0102", COMMUNITY, "投诉", "", "", "", 0, "路灯不亮",
     "主要权力 CG-06-003/CG-02-023（城市照明，黄石港区试点下放街道）→ lead.delegated（B级，街道办事处）；"
     "相关权力 GA-02-008（盗窃、损毁照明设施）只让黄石港派出所协办，不牵头",
     "", "日常哨", "B", "street", STREET, "420202001-GA", R1, C15),
    ("SC-06", JULY, "BJ0103", "420205002", "求助", "", "", "", 0, "消火栓遮挡",
     "保留区级：XF-02-001-04 对铁山街道保留区级 → lead.district（C级，开发区·铁山区消防救援大队）",
     "", "daily", "C", "区", "420205-XF", "无", R1, C10),
    ("SC-07", JULY, "RX0407", STREET, "举报", "", "", "", 0, "举报骗保",
     "保留市级：YB-02-001/002 保留市级 → lead.city（D级，黄石市医疗保障局）；举报 15 个工作日",
     "", "日常哨", "D", "市", "420200-YB", "无", R1, C15),
    ("SC-08", JULY, "ZD0106", STREET, "", "", "", "", 0, "长江禁渔巡查",
     "重点工作范围 → whistle.key-work-scope；NY-02-002 保留区级 → lead.district（C级）；"
     "未填诉求类型按求助 10 日；重点哨 30 分钟报到",
     "", "重点哨", "C", "district", "420202-NY", "", M30, C10),
    ("SC-09", JULY, "BJ0103", STREET, "建议", "", "是", "", 0, "消防设施整治列入重点工作",
     "标为重点工作 → whistle.key-work-flag；委托 → B级街道办事处；建议 10 个工作日",
     "", "key", "B", "street", STREET, "无", M30, C10),
    ("SC-10", JULY, "RX0102", STREET, "投诉", "", "", "", 0, "商户使用童工",
     "综合执法 → whistle.enforcement-scope（协调哨）→ lead.coordination：街道牵头B级，持权的区人社局协办",
     "", "协调哨", "B", "街道", STREET, "420202-RS", M30, C15),
    ("SC-11", JULY, "BJ0103", STREET, "求助", "", "", "是", 0, "圈占消火栓需执法",
     "需要执法 → whistle.needs-enforcement（协调哨）；街道牵头，持权者即街道本身，故无协办",
     "", "coordination", "B", "street", STREET, "无", M30, C10),
    ("SC-12", JULY, "SJ0410", STREET, "求助", "", "", "", 0, "游泳馆氯气泄漏",
     "应急处置 → whistle.emergency-scope；WJ-03-001 保留区级 → lead.emergency-district"
     "（C级，区卫健局牵头，街道属地配合）；30 分钟/24 小时",
     "", "应急哨", "C", "district", "420202-WJ", STREET, M30, H24),
    ("SC-13", JULY, "SJ0409", COMMUNITY, "举报", "", "", "", 0, "河道突发污染",
     "应急处置；HB-10-001/HB-03-001 保留市级 → lead.emergency-city（D级，市生态环境局牵头，街道配合）",
     "", "emergency", "D", "city", "420200-HB", STREET, M30, H24),
    ("SC-14", JULY, "SJ0408", STREET, "举报", "", "", "", 0, "危化品非法经营",
     "应急处置；主要权力为无证经营处罚（委托街道）与查封扣押（保留区级）：最高者保留区级 → "
     "lead.emergency-district（C级，区应急管理局牵头，街道配合）；相关权力经营许可（剧毒、带储存设施的在市级）"
     "只让市应急管理局协办，不牵头",
     "", "应急哨", "C", "区", "420202-YJ", "420200-YJ、420202001", M30, H24),
    ("SC-15", JULY, "RX0302", COMMUNITY, "求助", "是", "", "", 0, "纠纷中有人受伤",
     "标为紧急 → 应急哨；无需权力社区A级，低于应急下限B（emergency_floor.emergency）→ 提至街道办事处牵头，社区协办",
     "", "应急哨", "B", "street", STREET, COMMUNITY, M30, H24),
    ("SC-16", JULY, "BJ0103", STREET, "求助", "", "", "", 3, "消火栓第三次被圈占",
     "重复3次（阈值3）→ repeat.raise：委托B级提一级至C，沿呼叫链由区消防救援大队牵头，街道协办",
     "", "日常哨", "C", "district", "420202-XF", STREET, R1, C10),
    ("SC-17", JULY, "RX0407", STREET, "举报", "", "", "", 5, "骗保反复举报",
     "重复5次，但保留市级已是D级 → repeat.top，等级不变",
     "", "daily", "D", "city", "420200-YB", "无", R1, C15),
    ("SC-20", JULY, "RX0306", STREET, "举报", "", "", "", 3, "同一地点第三次举报赌博",
     "派驻：GA-02-007 由黄石港派出所行使（B级，街道层级单位）；重复3次 → repeat.raise 提一级至C，"
     "沿持权单位自己的链条到黄石港区公安分局（而不是直接到市公安局）；派出所与街道协办",
     "", "日常哨", "C", "district", "420202-GA", "420202001、420202001-GA", R1, C15),
    ("SC-21", JULY, "RX0306", "420281001", "举报", "", "", "", 3, "东岳路第三次举报赌博",
     "同上，大冶市：东岳路派出所 → 大冶市公安局（县级市设公安局，见 organisation.xlsx 区级机构名称）",
     "", "日常哨", "C", "district", "420281-GA", "420281001、420281001-GA", R1, C15),
    ("SC-18", datetime(2026, 9, 30, 16, 0), "RX0414", STREET, "咨询", "", "", "", 0, "节前咨询",
     "国庆前受理：10-01至10-07放假不计，响应为10-08，办结（2个工作日）为10-09",
     "", "日常哨", "B", "街道", STREET, "", "2026-10-08 23:59:59", "2026-10-09 23:59:59"),
    ("SC-19", JULY, "NO-SUCH", STREET, "求助", "", "", "", 0, "分类编码写错",
     "问题分类不在分类表中：应拒绝派单（未派单）并指出单元格",
     "未派单", "", "", "", "", "", "", ""),
]


def build(path: Path) -> Path:
    book = Workbook()
    ws = book.active
    ws.title = "场景"
    ws.append(["派单场景测试（黄石示意目录）：每行一个诉求及其预期派单结果；预期值依 rules/ 手工推得"])
    header = ISSUE_COLUMNS + ["场景说明"] + EXPECTED_COLUMNS
    ws.append(header)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for row in SCENARIOS:
        issue = list(row[:10])
        ws.append(issue + [row[10]] + [value if value != "" else None for value in row[11:]])
    ws.freeze_panes = "A3"
    book.properties.created = book.properties.modified = datetime(2026, 1, 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "examples" / "scenarios.xlsx"
    print(f"wrote {build(target)} ({len(SCENARIOS)} scenarios)")
