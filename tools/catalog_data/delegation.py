"""How each of the 19 streets holds each of the 225 items (承接方式) — explicit rules, no randomness.

Every item gets a *profile*; a profile says, district by district (and for 金山街道 on its own),
which mode the street has. Facts the profiles follow, from the report:
- 公安、司法、市场监管 are stationed (派驻) by central rule.
- 黄石港区 moved its whole urban-management force into its four streets in 2019 (pilot) **and gave
  the streets the urban-management enforcement power** (赋予街道城市管理执法权): 城管 items are
  下放 there. 西塞山区、下陆区 had moved their squads (城管中队) down, but the report says nothing of
  powers: the squads act in the district bureau's name (委托). 大冶市's streets and
  开发区·铁山区's 金山街道 took over comparatively many extended/stationed *units*; the report does
  not say which powers, so which of their items are 下放 is illustrative.
Everything else (which item is entrusted, retained, or kept by the city) is our illustrative
reconstruction, following the usual legal split: county-level powers a street may be given by
delegation (下放) or entrustment (委托); powers the law puts at 设区的市 level, or which Huangshi's
urban districts exercise through city bureaus' branches (生态环境、自然资源和规划、医保、交通、湖泊),
stay with the city (保留市级) in the urban districts; 大冶市 is a county-level city with its own bureaus.
"""

from __future__ import annotations

HSG, XSS, XL, DY, KF = "420202", "420203", "420204", "420281", "420205"
URBAN = (HSG, XSS, XL, KF)

STATIONED, DELEGATED, DISTRICT, CITY, ENTRUSTED = "派驻", "下放", "保留区级", "保留市级", "委托"

REPORT_PILOT = "报告：黄石港区2019年试点将区城管局力量全部下沉四个街道，并“赋予街道城市管理执法权”（权力下放）"
REPORT_SQUADS = (
    "报告：西塞山区、下陆区“除已下放的城管中队外，基本无延伸派驻机构下放”——下放的是城管中队（队伍），"
    "报告没有说赋予这两个区的街道城市管理执法权（权力未下放）"
)
REPORT_DY_JS = (
    "报告：大冶市所辖街道、开发区·铁山区金山街道“涉及下放延伸派驻机构相对较多”——下放的是机构，"
    "报告没有说下放了哪些权力"
)
REPORT_STATIONED = "报告：公安、司法、市场监管等中央明确要求实行派驻体制"
ILL = "示意"


def mode(profile: str, district: str, street: str) -> tuple[str, str]:
    """(承接方式, 来源) of an item with `profile` in `street` of `district`."""
    big = district == DY or street == "金山街道"
    if profile == "STATIONED":
        return STATIONED, f"{REPORT_STATIONED}"
    if profile == "STREET":
        return DELEGATED, f"{ILL}：法律法规直接规定或者通常由街道（乡镇）承担的事项，下放街道"
    if profile == "CG":
        # Only 黄石港区's pilot gave its streets the urban-management enforcement powers. Elsewhere
        # the squads (or other units) moved down but the powers stayed with the district bureau:
        # the street's squad acts in the bureau's name (委托).
        if district == HSG:
            return DELEGATED, REPORT_PILOT
        if district in (XSS, XL):
            return ENTRUSTED, f"{REPORT_SQUADS}；故按区城市管理执法局委托街道（其城管中队以区局名义执法）示意"
        if big:
            return ENTRUSTED, f"{REPORT_DY_JS}；城管执法权按委托街道示意"
        return ENTRUSTED, f"{ILL}：开发区·铁山区其他街道以委托方式承接城管执法事项"
    if profile == "CG_BUILD":  # 违法建设、绿化: more cautious than 市容 items
        if district == HSG:
            return DELEGATED, REPORT_PILOT
        return ENTRUSTED, f"{ILL}：违法建设、城市绿化类执法未下放（报告只称黄石港区试点赋权），以委托方式承接"
    if profile == "CG_LIC":  # 城管 licensing
        if district == HSG:
            return DELEGATED, f"{ILL}：黄石港区试点，审批随执法权下放"
        return DISTRICT, f"{ILL}：审批类事项保留区级（报告只称黄石港区试点赋权）"
    if profile == "ENFORCE":  # other departments' penalties fit for streets
        if big:
            return DELEGATED, f"{REPORT_DY_JS}；下放哪些事项为{ILL}"
        if district in (HSG, XSS, XL):
            return ENTRUSTED, f"{ILL}：城区街道以委托方式承接"
        return DISTRICT, f"{ILL}：保留区级"
    if profile == "ENTRUST":
        if district == KF and street != "金山街道":
            return DISTRICT, f"{ILL}：保留区级"
        return ENTRUSTED, f"{ILL}：委托街道实施，以部门名义"
    if profile == "RETAIN":
        return DISTRICT, f"{ILL}：专业性强或者需区级统一实施，保留区级"
    if profile == "RETAIN_DY":
        if big:
            return DELEGATED, f"{REPORT_DY_JS}；下放哪些事项为{ILL}"
        return DISTRICT, f"{ILL}：保留区级"
    if profile == "CITY":
        if district == DY:
            return DISTRICT, f"{ILL}：大冶市为县级市，由其本级部门实施"
        return CITY, f"{ILL}：城区由市级部门（或其派出分局）统一实施，保留市级"
    if profile == "CITY_ALL":
        return CITY, "法律规定由设区的市级部门实施，保留市级"
    raise ValueError(f"unknown delegation profile {profile!r}")


# Default profile by department and kind ("*" = any other kind).
DEPARTMENT_PROFILES: dict[str, dict[str, str]] = {
    "GA": {"*": "STATIONED"},
    "SF": {"*": "STATIONED"},
    "SCJG": {"*": "STATIONED"},
    "CG": {"02": "CG", "06": "CG", "01": "CG_LIC", "03": "RETAIN", "04": "CITY"},
    "YJ": {"02": "ENTRUST", "06": "STREET", "03": "RETAIN", "10": "RETAIN", "05": "STREET", "08": "RETAIN", "*": "RETAIN"},
    "XF": {"02": "ENFORCE", "06": "ENTRUST", "*": "RETAIN"},
    "ZJ": {"02": "ENFORCE", "06": "ENTRUST", "01": "CITY", "04": "CITY", "10": "STREET"},
    "FG": {"10": "STREET", "02": "ENTRUST", "06": "STREET", "07": "STREET", "*": "RETAIN"},
    "ZRZY": {"*": "CITY"},
    "HB": {"06": "ENTRUST", "*": "CITY"},
    "WJ": {"01": "RETAIN", "02": "RETAIN_DY", "06": "ENTRUST", "03": "RETAIN", "05": "STREET", "07": "STREET"},
    "MZ": {"05": "STREET", "07": "ENTRUST", "10": "STREET", "02": "RETAIN_DY", "06": "ENTRUST"},
    "RS": {"02": "RETAIN", "06": "ENTRUST", "10": "STREET", "07": "STREET", "20": "STREET", "05": "STREET"},
    "JY": {"01": "RETAIN", "02": "RETAIN", "06": "ENTRUST", "10": "STREET", "05": "STREET"},
    "WL": {"02": "RETAIN_DY", "06": "ENTRUST", "20": "STREET", "*": "RETAIN"},
    "JT": {"*": "CITY"},
    "SL": {"10": "STREET", "*": "CITY"},
    "NY": {"02": "RETAIN_DY", "01": "RETAIN_DY", "06": "RETAIN", "10": "STREET", "05": "STREET"},
    "TY": {"05": "RETAIN", "*": "STREET"},
    "YB": {"20": "STREET", "05": "ENTRUST", "*": "CITY"},
    "SW": {"10": "RETAIN", "*": "RETAIN"},
}

# Item-level exceptions: (department, a substring of the item name) -> profile.
OVERRIDES: dict[tuple[str, str], str] = {
    # 违法建设、临时建设、绿化: more cautious than 市容 items
    ("CG", "建设工程规划许可证"): "CG_BUILD",
    ("CG", "临时建设"): "CG_BUILD",
    ("CG", "城市树木花草"): "CG_BUILD",
    ("CG", "城市绿化用地"): "CG_BUILD",
    # 劳动保障监察: wage arrears are the most-called whistle; entrusted to streets
    ("RS", "工资支付和工时"): "ENTRUST",
    ("RS", "农民工工资专用账户"): "ENTRUST",
    # 燃气经营无证: specialised, district
    ("ZJ", "未取得燃气经营许可证"): "RETAIN",
    ("ZJ", "排水户"): "CITY",
    ("ZJ", "建筑施工安全生产"): "RETAIN",
    ("ZJ", "城镇燃气经营和使用安全"): "RETAIN_DY",
    # 乡村建设规划许可 and 宅基地 are 乡镇 powers: the streets of 大冶市 (with villages) hold them
    ("ZRZY", "乡村建设规划许可"): "RETAIN_DY",
    # 居民委员会设立 is decided by the district government
    ("MZ", "居民委员会设立"): "RETAIN",
    ("MZ", "特困人员"): "ENTRUST",
    ("MZ", "取缔"): "RETAIN",
    # 公路 items are county business in 大冶市; urban roads are not 公路
    ("JT", "公路"): "RETAIN_DY",
    ("JT", "巡游出租汽车"): "CITY_ALL",
    ("YJ", "烟花爆竹经营单位"): "ENTRUST",
    ("YJ", "自然灾害"): "STREET",
    ("NY", "禁渔"): "RETAIN",
    ("SW", "再生资源回收经营者备案"): "RETAIN_DY",
    ("SW", "生活必需品"): "CITY",
    ("SW", "单用途商业预付卡"): "CITY",
    ("HB", "突发环境事件"): "CITY",
    ("TY", "伤残等级"): "STREET",
    ("FG", "维修资金"): "RETAIN",
    ("FG", "分割出租"): "ENFORCE",
    ("WJ", "计划生育"): "STREET",
}


def profile_of(dept: str, kind: str, name: str) -> str:
    for (d, needle), profile in OVERRIDES.items():
        if d == dept and needle in name:
            return profile
    table = DEPARTMENT_PROFILES[dept]
    if kind in table:
        return table[kind]
    if "*" in table:
        return table["*"]
    return "RETAIN"
