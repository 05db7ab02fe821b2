"""Organisation of Huangshi (黄石市): districts, streets, communities, departments.

Sources:
- REPORT: 黄石市委组织部调研组《"吹哨报到"的黄石探索》(党员生活微信, 2020-11-11) — the seed report.
- NOTICE_2019: 黄石市民政局区划科《黄石城区新增11个街道办事处》(2019-01-30,
  http://mzj.huangshi.gov.cn/xw/bdmz/201901/t20190130_506898.html): 市政府2019年1月10日批文同意设立
  黄石港、沈家营、胜阳港、牧羊湖、澄月、八泉、黄思湾、新下陆、东方山、老下陆、铁山11个街道办事处，
  城区共辖14个街道办事处 (i.e. beside the existing 花湖、团城山、金山).

Limitations: street and community codes are illustrative (district code + serial), not the
official 统计用区划代码; staff numbers are illustrative; most community names are illustrative.
"""

from __future__ import annotations

CITY_CODE = "420200"
CITY_NAME = "黄石市"

REPORT = "《“吹哨报到”的黄石探索》（黄石市委组织部调研组，2020-11-11）"
NOTICE_2019 = "黄石市民政局《黄石城区新增11个街道办事处》（2019-01-30，市政府2019年1月10日批文）"
GB_CODE = "国家统计局/民政部行政区划代码"

# (code, name, source)
DISTRICTS = [
    ("420202", "黄石港区", f"区划代码：{GB_CODE}；街道数4：{REPORT}"),
    ("420203", "西塞山区", f"区划代码：{GB_CODE}；街道数4：{REPORT}"),
    ("420204", "下陆区", f"区划代码：{GB_CODE}；街道数4：{REPORT}"),
    ("420281", "大冶市", f"区划代码：{GB_CODE}（县级市，黄石市代管）；街道数4：{REPORT}"),
    (
        "420205",
        "开发区·铁山区",
        f"420205为铁山区区划代码；黄石经济技术开发区无独立区划代码，“开发区·铁山区”合署单位沿用420205属本库假设；"
        f"街道数3：{REPORT}",
    ),
]

_ILLUSTRATIVE_CODE = "街道编码为示意（区县编码+3位序号），非官方统计用区划代码"

# (district code, street name, staff, source note)
_STREETS = [
    ("420202", "黄石港街道", 28, f"{NOTICE_2019}设立；属黄石港区"),
    ("420202", "沈家营街道", 26, f"{NOTICE_2019}设立；属黄石港区"),
    ("420202", "胜阳港街道", 27, f"{NOTICE_2019}设立；属黄石港区"),
    ("420202", "花湖街道", 29, f"2019年前已设立（{NOTICE_2019}所称城区原有街道之一）；属黄石港区"),
    ("420203", "澄月街道", 25, f"{NOTICE_2019}设立；属西塞山区"),
    ("420203", "八泉街道", 26, f"{NOTICE_2019}设立；属西塞山区"),
    ("420203", "黄思湾街道", 24, f"{NOTICE_2019}设立；属西塞山区"),
    (
        "420203",
        "牧羊湖街道",
        25,
        f"{NOTICE_2019}设立；划归西塞山区依据第三方地名网站（列其区划代码为420203010），未经官方文件核实",
    ),
    ("420204", "新下陆街道", 27, f"{NOTICE_2019}设立；属下陆区"),
    ("420204", "东方山街道", 23, f"{NOTICE_2019}设立；属下陆区"),
    ("420204", "老下陆街道", 24, f"{NOTICE_2019}设立；属下陆区"),
    (
        "420204",
        "团城山街道",
        30,
        f"2019年前已设立（{NOTICE_2019}所称城区原有街道之一）；划归下陆区为本库推定（历史上曾由开发区管理），待核实",
    ),
    ("420281", "东岳路街道", 31, "大冶市街道（brief/公开资料）；属大冶市"),
    ("420281", "金湖街道", 29, "大冶市街道（brief/公开资料）；属大冶市"),
    ("420281", "罗家桥街道", 28, "大冶市街道（brief/公开资料）；属大冶市"),
    ("420281", "东风路街道", 27, "大冶市街道（brief/公开资料）；属大冶市"),
    ("420205", "金山街道", 30, f"开发区·铁山区街道（{REPORT}点名金山街道）；2019年前已设立"),
    ("420205", "铁山街道", 24, f"{NOTICE_2019}设立（批文列铁山区）；属开发区·铁山区"),
    (
        "420205",
        "汪仁街道",
        26,
        "不确定：开发区·铁山区第三个街道的名称未能从公开资料核实；“汪仁”为开发区真实地名（原汪仁镇），"
        "用作街道名称属本库假设",
    ),
]

STAFF_NOTE = f"编制人数为示意（报告：改革前平均每个街道行政编制和事业编制人数不到30人，{REPORT}）"


def streets() -> list[tuple[str, str, str, int, str, str]]:
    """(code, name, district, staff, staff nature, source) with illustrative serial codes."""
    rows = []
    serial: dict[str, int] = {}
    for district, name, staff, note in _STREETS:
        serial[district] = serial.get(district, 0) + 1
        code = f"{district}{serial[district]:03d}"
        rows.append((code, name, district, staff, "示意", f"{note}；{_ILLUSTRATIVE_CODE}；{STAFF_NOTE}"))
    return rows


_THIRD_PARTY = "社区名称见第三方地名网站（xfh999.com/qinglite.cn），未经官方核实；编码示意"
_ILLUSTRATIVE = "示意：社区名称与编码均为示意，非官方名录"
_RENAMED = (
    "示意：名称据所属街道名拟定，非官方名录（原示意名称“还地桥”“大箕铺”“冶钢”“太子”“大王”是大冶市、西塞山区和开发区的"
    "真实乡镇或厂区名，放在别处会误导读者，issue 11 替换）；编码示意"
)

# street name -> [(community name, source or None for illustrative)]
COMMUNITIES: dict[str, list[tuple[str, str | None]]] = {
    "黄石港街道": [
        ("纺织社区", f"报告点名：黄石港街道组织区市场监督管理局、纺织社区党委协调处理油烟扰民问题（{REPORT}）；编码示意"),
        ("江边社区", None),
        ("天虹社区", None),
        ("王家里社区", None),
    ],
    "沈家营街道": [("沈下路社区", None), ("湖滨社区", None), ("磁湖社区", None)],
    "胜阳港街道": [
        ("曹家林社区", f"报告点名曹家林社区（{REPORT}）；所属街道报告未写明，挂胜阳港街道为本库推定；编码示意"),
        ("胜阳社区", None),
        ("上窑社区", None),
        ("湖山社区", None),
    ],
    "花湖街道": [("花湖社区", None), ("东楚社区", None), ("西湖社区", None), ("青山湖社区", None), ("华新社区", None)],
    "澄月街道": [("澄月社区", None), ("新街社区", None), ("陈家湾社区", None)],
    "八泉街道": [("八泉社区", None), ("飞云社区", None), ("大智路社区", None), ("沈家湾社区", None)],
    "黄思湾街道": [
        ("新建区社区", _THIRD_PARTY),
        ("黄厂街社区", _THIRD_PARTY),
        ("东屏巷社区", _THIRD_PARTY),
        ("曹家湾社区", _THIRD_PARTY),
        ("马家嘴社区", _THIRD_PARTY),
    ],
    "牧羊湖街道": [
        ("胡家湾社区", _THIRD_PARTY),
        ("石料山社区", _THIRD_PARTY),
        ("牧羊湖社区", _THIRD_PARTY),
        ("花园路社区", _THIRD_PARTY),
    ],
    "新下陆街道": [("新下陆社区", None), ("肖铺社区", None), ("长乐社区", None), ("团城社区", None)],
    "东方山街道": [("东方山社区", None), ("石家村社区", None), ("竹林社区", None)],
    "老下陆街道": [("老下陆社区", None), ("陆家社区", None), ("月亮山社区", None), ("钢铁社区", None)],
    "团城山街道": [("杭州东路社区", None), ("桂林路社区", None), ("广州路社区", None), ("苏州路社区", None), ("宁波路社区", None)],
    "东岳路街道": [("东岳社区", None), ("新冶社区", None), ("熊家洲社区", None), ("下冯社区", None)],
    "金湖街道": [("金湖社区", None), ("金湖新村社区", _RENAMED), ("金桥社区", None)],
    "罗家桥街道": [("罗家桥社区", None), ("大冶湖社区", None), ("湖景社区", None), ("南园社区", None)],
    "东风路街道": [("东风路社区", None), ("东风新村社区", _RENAMED), ("东风南社区", _RENAMED), ("新风社区", None)],
    "金山街道": [("金山社区", None), ("大泉路社区", None), ("章山社区", None), ("湛月社区", None), ("新港社区", None)],
    "铁山街道": [("铁山社区", None), ("鹿獐山社区", None), ("冯家山社区", None)],
    "汪仁街道": [("汪仁社区", None), ("汪仁东社区", _RENAMED), ("汪仁西社区", _RENAMED)],
}


def communities(street_rows) -> list[tuple[str, str, str, str]]:
    """(code, name, street code, source); 12-digit codes = street code + 3-digit serial."""
    by_name = {row[1]: row[0] for row in street_rows}
    rows = []
    for street_name, members in COMMUNITIES.items():
        street_code = by_name[street_name]
        for i, (name, source) in enumerate(members, start=1):
            rows.append((f"{street_code}{i:03d}", name, street_code, source or _ILLUSTRATIVE))
    return rows


_REPORT_DEPT = f"报告列明的21家吹哨报到部门之一（{REPORT}）"
_OUR_DEPT = "本库选定：湖北市州/区级常见的承接街道吹哨的职能部门（报告未列全21家名单）"
_STATIONED = "中央明确要求实行派驻体制（报告：公安、司法、市场监管等），派驻机构保留部门管理"

# (code, short name, city name, district name pattern, stationed, stationed unit, aliases, source)
DEPARTMENTS = [
    ("JY", "教育", "黄石市教育局", "{区县}教育局", False, "", "教育局", _REPORT_DEPT),
    ("MZ", "民政", "黄石市民政局", "{区县}民政局", False, "", "民政局", _REPORT_DEPT),
    ("SF", "司法", "黄石市司法局", "{区县}司法局", True, "司法所", "司法局、司法行政", f"{_REPORT_DEPT}；{_STATIONED}"),
    (
        "RS",
        "人社",
        "黄石市人力资源和社会保障局",
        "{区县}人力资源和社会保障局",
        False,
        "",
        "人力资源和社会保障、人社局、劳动保障监察",
        _REPORT_DEPT,
    ),
    ("YJ", "应急", "黄石市应急管理局", "{区县}应急管理局", False, "", "应急管理、应急管理局、安监", _REPORT_DEPT),
    (
        "SCJG",
        "市场监管",
        "黄石市市场监督管理局",
        "{区县}市场监督管理局",
        True,
        "市场监管所",
        "市场监督管理、市场监督管理局、市场监管局",
        f"{_REPORT_DEPT}；{_STATIONED}",
    ),
    (
        "GA",
        "公安",
        "黄石市公安局",
        "{区县}公安分局",
        True,
        "派出所",
        "公安局、公安机关",
        f"{_OUR_DEPT}；{_STATIONED}；区级名称按“××公安分局”示意，大冶市为大冶市公安局（见“区级机构名称”表）",
    ),
    (
        "CG",
        "城管执法",
        "黄石市城市管理执法委员会",
        "{区县}城市管理执法局",
        False,
        "",
        "城市管理执法、城市管理、城管、城管局、城管执法局、市容环境卫生、城市综合执法",
        f"{_OUR_DEPT}；报告：黄石港区2019年试点将城管执法中队下沉街道",
    ),
    ("ZJ", "住建", "黄石市住房和城乡建设局", "{区县}住房和城乡建设局", False, "", "住房和城乡建设、住建局、建设局", _OUR_DEPT),
    (
        "FG",
        "房管",
        "黄石市住房保障和房屋管理局",
        "{区县}房屋管理局",
        False,
        "",
        "房产管理、住房保障、房管局、房地产管理、物业管理",
        f"{_OUR_DEPT}；机构名称示意（黄石房产、物业、住房保障职能的实际归属以当地“三定”为准）",
    ),
    (
        "ZRZY",
        "自然资源和规划",
        "黄石市自然资源和规划局",
        "黄石市自然资源和规划局{区县}分局",
        False,
        "",
        "自然资源、规划、自然资源和规划局、国土",
        f"{_OUR_DEPT}；区级按市局分局示意",
    ),
    (
        "HB",
        "生态环境",
        "黄石市生态环境局",
        "黄石市生态环境局{区县}分局",
        False,
        "",
        "生态环境局、环保、环境保护",
        f"{_OUR_DEPT}；省以下生态环境机构监测监察执法垂直管理改革后区级为市局派出分局",
    ),
    ("WJ", "卫生健康", "黄石市卫生健康委员会", "{区县}卫生健康局", False, "", "卫健、卫生健康委、卫健委、卫生", _OUR_DEPT),
    ("WL", "文化和旅游", "黄石市文化和旅游局", "{区县}文化和旅游局", False, "", "文旅、文化旅游、文化和旅游局", _OUR_DEPT),
    ("JT", "交通运输", "黄石市交通运输局", "{区县}交通运输局", False, "", "交通、交通运输局", _OUR_DEPT),
    ("SL", "水利和湖泊", "黄石市水利和湖泊局", "{区县}水利和湖泊局", False, "", "水利、水利湖泊、水利和湖泊局", _OUR_DEPT),
    ("NY", "农业农村", "黄石市农业农村局", "{区县}农业农村局", False, "", "农业、农业农村局", _OUR_DEPT),
    ("TY", "退役军人事务", "黄石市退役军人事务局", "{区县}退役军人事务局", False, "", "退役军人、退役军人事务局", _OUR_DEPT),
    ("YB", "医疗保障", "黄石市医疗保障局", "黄石市医疗保障局{区县}分局", False, "", "医保、医疗保障局", f"{_OUR_DEPT}；区级按市局分局示意"),
    (
        "XF",
        "消防救援",
        "黄石市消防救援支队",
        "{区县}消防救援大队",
        False,
        "",
        "消防、消防救援机构、消防救援大队、消防救援支队",
        f"{_OUR_DEPT}；消防救援机构属国家综合性消防救援队伍，非地方政府组成部门",
    ),
    ("SW", "商务", "黄石市商务局", "{区县}商务局", False, "", "商务局、商务主管部门", _OUR_DEPT),
]

REPORT_DEPARTMENTS = ("JY", "MZ", "SF", "RS", "YJ", "SCJG")


# District-level units whose name does not follow their department's pattern (sheet 区级机构名称).
# (district code, department code, name, source)
DISTRICT_UNIT_NAMES = [
    (
        "420281",
        "GA",
        "大冶市公安局",
        "县级市设公安局，不设分局：大冶市的公安机关为大冶市公安局（公开资料），其派出所属大冶市公安局",
    ),
]
