"""Cited texts as data (法律法规版本表): every version of every statute the power list cites by version.

One row per *version* of a text. A text (``work``) may change its title between versions (the
食品经营许可 rules did in 2023); a citation in the power list names a version by its title and
the label in the brackets after it, e.g. 《中华人民共和国治安管理处罚法》（2025年修订）第八十二条.

Columns (the 法律法规 sheet of catalogs/statutes.xlsx):
- 版本编码: stable id of this version, ``{work}@{label}``.
- 法规编码: the work; all versions of one work share it.
- 名称: the full title as cited, with its 《》.
- 版本: the version label as cited in brackets (年份 + 修订/修正, or the order number of a rule).
- 通过日期: adopted (laws) or promulgated (regulations, rules).
- 施行日期: in force from (inclusive).
- 废止日期: in force until the day before (exclusive); empty = in force.
- 替代版本: the 版本编码 that replaced it, if any.
- 条文数: number of articles where we know it, else empty.
- 来源: where the dates come from and how sure we are. "已核对" = checked against the sources
  named; "据公开报道" = public reports of the adoption, not the official gazette; "未核对" = our
  knowledge, not checked against a text — a reviewer should check these first.

Coverage: the table is complete for every modelled work from COVERAGE_FROM on — on every date
from then, exactly one version of each modelled work is in force (the build checks it). Older
versions are listed where they matter for the texts the issue names.

Texts the power list cites that are **not** modelled here (cited as written, no version resolved):
provincial regulations (湖北省…条例, 办法), normative documents (…〔年〕号 notices), and the texts
whose current version we could not establish: 《中华人民共和国道路运输条例》, 《互联网上网服务营业场所
管理条例》, 《娱乐场所管理条例》, 《医疗机构管理条例》, 《公共场所卫生管理条例》及其实施细则,
《不动产登记暂行条例》, 《中华人民共和国渔业法》 (a revision was under review in 2025; not checked),
and departmental rules older than 2015 (see UNMODELLED_NOTE).
"""

from __future__ import annotations

COVERAGE_FROM = "2023-01-01"

_NPC = "全国人民代表大会常务委员会"
_GAZ = "已核对：国家法律法规数据库所载文本的通过、施行日期"
_UNCHECKED = "未核对：施行日期为本库整理，未与官方文本逐一核对"

# (work, title, label, adopted, in force, repealed ("" = in force), articles or None, source)
_VERSIONS: list[tuple[str, str, str, str, str, str, int | None, str]] = [
    # ---- texts the issue names ---------------------------------------------------------------
    (
        "ZAGLCF", "《中华人民共和国治安管理处罚法》", "2012年修正", "2012-10-26", "2013-01-01", "2026-01-01", 119,
        f"{_NPC}2012年10月26日修正，2013年1月1日起施行；被2025年修订本替代（条文数119见修订说明）",
    ),
    (
        "ZAGLCF", "《中华人民共和国治安管理处罚法》", "2025年修订", "2025-06-27", "2026-01-01", "", 144,
        f"{_NPC}第十六次会议2025年6月27日修订通过，2026年1月1日起施行，条文由119条增至144条（据公开报道；"
        "第八十二条赌博、第八十八条社会生活噪声、第八十九条饲养动物见多家报道引用的新法条文）",
    ),
    (
        "CRBFZ", "《中华人民共和国传染病防治法》", "2013年修正", "2013-06-29", "2013-06-29", "2025-09-01", 80,
        f"{_NPC}2013年6月29日修正；被2025年修订本替代",
    ),
    (
        "CRBFZ", "《中华人民共和国传染病防治法》", "2025年修订", "2025-04-30", "2025-09-01", "", None,
        f"{_NPC}2025年4月30日修订通过，2025年9月1日起施行（据公开报道）；条文重新编号，新条文序号本库未核对，"
        "因此引用时不写条款",
    ),
    (
        "SPAQ", "《中华人民共和国食品安全法》", "2018年修正", "2018-12-29", "2018-12-29", "2021-04-29", 154,
        f"{_NPC}2018年12月29日修正（{_UNCHECKED}）",
    ),
    (
        "SPAQ", "《中华人民共和国食品安全法》", "2021年修正", "2021-04-29", "2021-04-29", "2025-12-01", 154,
        f"{_NPC}2021年4月29日修正（第三十五条增加仅销售预包装食品备案）",
    ),
    (
        "SPAQ", "《中华人民共和国食品安全法》", "2025年修正", "2025-09-12", "2025-12-01", "", None,
        f"{_NPC}第十七次会议2025年9月12日《关于修改〈中华人民共和国食品安全法〉的决定》，2025年12月1日起施行"
        "（据公开报道及修正决定文本）；决定以增加款（第四十一条增加四款，重点液态食品道路散装运输）和修改条文的方式"
        "修改5个条文，未见增加条文，本库按条文序号不变引用——重新公布的文本未核对",
    ),
    (
        "SPJYXK", "《食品经营许可管理办法》", "国家食品药品监督管理总局令第17号", "2015-08-31", "2015-10-01",
        "2023-12-01", None,
        "国家食品药品监督管理总局2015年8月31日公布，2015年10月1日起施行；被《食品经营许可和备案管理办法》"
        "（国家市场监督管理总局令第78号）自2023年12月1日起废止（据第78号令）",
    ),
    (
        "SPJYXK", "《食品经营许可和备案管理办法》", "国家市场监督管理总局令第78号", "2023-06-15", "2023-12-01", "",
        None,
        "国家市场监督管理总局2023年6月15日公布，2023年12月1日起施行，同时废止总局令第17号（据第78号令）",
    ),
    (
        "ZFZL", "《住房租赁条例》", "2025年", "2025-07-20", "2025-09-15", "", None,
        "国务院2025年公布，2025年9月15日起施行（据公开报道；公布日期与国务院令号未核对）",
    ),
    (
        "CJBH", "《中华人民共和国长江保护法》", "2020年", "2020-12-26", "2021-03-01", "", 96,
        f"{_NPC}2020年12月26日通过，2021年3月1日起施行；第五十三条（重点水域禁捕）、第八十六条（禁捕期间生产性捕捞的处罚）",
    ),
    (
        "TFSJ", "《中华人民共和国突发事件应对法》", "2007年", "2007-08-30", "2007-11-01", "2024-11-01", None,
        f"{_NPC}2007年8月30日通过，2007年11月1日起施行；被2024年修订本替代",
    ),
    (
        "TFSJ", "《中华人民共和国突发事件应对法》", "2024年修订", "2024-06-28", "2024-11-01", "", None,
        f"{_NPC}2024年6月28日修订通过，2024年11月1日起施行（据公开报道）",
    ),
    (
        "JRFX", "《军人抚恤优待条例》", "2019年修订", "2019-03-02", "2019-03-02", "2024-10-01", None,
        f"国务院令第709号修订（{_UNCHECKED}）；被2024年修订本替代",
    ),
    (
        "JRFX", "《军人抚恤优待条例》", "2024年修订", "2024-08-05", "2024-10-01", "", None,
        "国务院令第788号公布修订后的条例，2024年10月1日起施行（据公开报道；公布日期未核对）",
    ),
    # ---- laws with one version in the coverage period ----------------------------------------
    ("DQWR", "《中华人民共和国大气污染防治法》", "2018年修正", "2018-10-26", "2018-10-26", "", 129,
     f"{_NPC}2018年10月26日修正；第八十一条（餐饮油烟、露天烧烤）、第八十二条（禁止焚烧沥青、垃圾等）、"
     "第一百一十八条、第一百一十九条为对应罚则"),
    ("GFWR", "《中华人民共和国固体废物污染环境防治法》", "2020年修订", "2020-04-29", "2020-09-01", "", None,
     f"{_NPC}2020年4月29日修订，2020年9月1日起施行"),
    ("ZSWR", "《中华人民共和国噪声污染防治法》", "2021年", "2021-12-24", "2022-06-05", "", None,
     f"{_NPC}2021年12月24日通过，2022年6月5日起施行"),
    ("AQSC", "《中华人民共和国安全生产法》", "2021年修正", "2021-06-10", "2021-09-01", "", 119,
     f"{_NPC}2021年6月10日修正，2021年9月1日起施行"),
    ("XFF", "《中华人民共和国消防法》", "2021年修正", "2021-04-29", "2021-04-29", "", 74,
     f"{_NPC}2021年4月29日修正"),
    ("TDGL", "《中华人民共和国土地管理法》", "2019年修正", "2019-08-26", "2020-01-01", "", None,
     f"{_NPC}2019年8月26日修正，2020年1月1日起施行"),
    ("CXGH", "《中华人民共和国城乡规划法》", "2019年修正", "2019-04-23", "2019-04-23", "", 70,
     f"{_NPC}2019年4月23日修正"),
    ("XZQZ", "《中华人民共和国行政强制法》", "2011年", "2011-06-30", "2012-01-01", "", 71,
     f"{_NPC}2011年6月30日通过，2012年1月1日起施行"),
    ("HJBH", "《中华人民共和国环境保护法》", "2014年修订", "2014-04-24", "2015-01-01", "", 70,
     f"{_NPC}2014年4月24日修订，2015年1月1日起施行"),
    ("SWR", "《中华人民共和国水污染防治法》", "2017年修正", "2017-06-27", "2018-01-01", "", None,
     f"{_NPC}2017年6月27日修正，2018年1月1日起施行"),
    ("HPF", "《中华人民共和国环境影响评价法》", "2018年修正", "2018-12-29", "2018-12-29", "", None,
     f"{_NPC}2018年12月29日修正"),
    ("CPZL", "《中华人民共和国产品质量法》", "2018年修正", "2018-12-29", "2018-12-29", "", None,
     f"{_NPC}2018年12月29日修正"),
    ("JGF", "《中华人民共和国价格法》", "1997年", "1997-12-29", "1998-05-01", "", None,
     f"{_NPC}1997年12月29日通过，1998年5月1日起施行（修正草案审议情况未核对）"),
    ("XBF", "《中华人民共和国消费者权益保护法》", "2013年修正", "2013-10-25", "2014-03-15", "", None,
     f"{_NPC}2013年10月25日修正，2014年3月15日起施行"),
    ("RMTJ", "《中华人民共和国人民调解法》", "2010年", "2010-08-28", "2011-01-01", "", None,
     f"{_NPC}2010年8月28日通过，2011年1月1日起施行"),
    ("SQJZ", "《中华人民共和国社区矫正法》", "2019年", "2019-12-28", "2020-07-01", "", None,
     f"{_NPC}2019年12月28日通过，2020年7月1日起施行"),
    ("FLYZ", "《中华人民共和国法律援助法》", "2021年", "2021-08-20", "2022-01-01", "", None,
     f"{_NPC}2021年8月20日通过，2022年1月1日起施行"),
    ("JMWYH", "《中华人民共和国城市居民委员会组织法》", "2018年修正", "2018-12-29", "2018-12-29", "", None,
     f"{_NPC}2018年12月29日修正"),
    ("LNR", "《中华人民共和国老年人权益保障法》", "2018年修正", "2018-12-29", "2018-12-29", "", None,
     f"{_NPC}2018年12月29日修正"),
    ("LDHT", "《中华人民共和国劳动合同法》", "2012年修正", "2012-12-28", "2013-07-01", "", 98,
     f"{_NPC}2012年12月28日修正，2013年7月1日起施行"),
    ("SHBX", "《中华人民共和国社会保险法》", "2018年修正", "2018-12-29", "2018-12-29", "", 98,
     f"{_NPC}2018年12月29日修正"),
    ("JYCJ", "《中华人民共和国就业促进法》", "2015年修正", "2015-04-24", "2015-04-24", "", None,
     f"{_NPC}2015年4月24日修正"),
    ("LDZY", "《中华人民共和国劳动争议调解仲裁法》", "2007年", "2007-12-29", "2008-05-01", "", None,
     f"{_NPC}2007年12月29日通过，2008年5月1日起施行"),
    ("YWJY", "《中华人民共和国义务教育法》", "2018年修正", "2018-12-29", "2018-12-29", "", None,
     f"{_NPC}2018年12月29日修正"),
    ("MBJY", "《中华人民共和国民办教育促进法》", "2018年修正", "2018-12-29", "2018-12-29", "", None,
     f"{_NPC}2018年12月29日修正"),
    ("GLF", "《中华人民共和国公路法》", "2017年修正", "2017-11-04", "2017-11-05", "", None,
     f"{_NPC}2017年11月4日修正（{_UNCHECKED}）"),
    ("FHF", "《中华人民共和国防洪法》", "2016年修正", "2016-07-02", "2016-07-02", "", None,
     f"{_NPC}2016年7月2日修正"),
    ("SF", "《中华人民共和国水法》", "2016年修正", "2016-07-02", "2016-07-02", "", None,
     f"{_NPC}2016年7月2日修正"),
    ("RKJS", "《中华人民共和国人口与计划生育法》", "2021年修正", "2021-08-20", "2021-08-20", "", None,
     f"{_NPC}2021年8月20日修正"),
    ("JBYL", "《中华人民共和国基本医疗卫生与健康促进法》", "2019年", "2019-12-28", "2020-06-01", "", None,
     f"{_NPC}2019年12月28日通过，2020年6月1日起施行"),
    ("TYJR", "《中华人民共和国退役军人保障法》", "2020年", "2020-11-11", "2021-01-01", "", None,
     f"{_NPC}2020年11月11日通过，2021年1月1日起施行"),
    ("MFD", "《中华人民共和国民法典》", "2020年", "2020-05-28", "2021-01-01", "", 1260,
     "第十三届全国人民代表大会第三次会议2020年5月28日通过，2021年1月1日起施行"),
    ("DWFY", "《中华人民共和国动物防疫法》", "2021年修订", "2021-01-22", "2021-05-01", "", None,
     f"{_NPC}2021年1月22日修订，2021年5月1日起施行"),
    ("CHF", "《中华人民共和国测绘法》", "2017年修订", "2017-04-27", "2017-07-01", "", None,
     f"{_NPC}2017年4月27日修订，2017年7月1日起施行"),
    ("TZSB", "《中华人民共和国特种设备安全法》", "2013年", "2013-06-29", "2014-01-01", "", None,
     f"{_NPC}2013年6月29日通过，2014年1月1日起施行"),
    ("NCTD", "《中华人民共和国农村土地承包经营纠纷调解仲裁法》", "2009年", "2009-06-27", "2010-01-01", "", None,
     f"{_NPC}2009年6月27日通过，2010年1月1日起施行"),
    ("GGWH", "《中华人民共和国公共文化服务保障法》", "2016年", "2016-12-25", "2017-03-01", "", None,
     f"{_NPC}2016年12月25日通过，2017年3月1日起施行"),
    ("JZF", "《中华人民共和国建筑法》", "2019年修正", "2019-04-23", "2019-04-23", "", None,
     f"{_NPC}2019年4月23日修正"),
    ("GFF", "《中华人民共和国国防法》", "2020年修订", "2020-12-26", "2021-01-01", "", None,
     f"{_NPC}2020年12月26日修订，2021年1月1日起施行"),
    # ---- State Council regulations and departmental rules ------------------------------------
    ("SRHW", "《城市市容和环境卫生管理条例》", "2017年修订", "2017-03-01", "2017-03-01", "", None,
     f"国务院令第676号修订（{_UNCHECKED}）；第三十三条禁止饲养家畜家禽、第三十四条至第三十八条为罚则"),
    ("CSDL", "《城市道路管理条例》", "2019年修订", "2019-03-24", "2019-03-24", "", None,
     f"国务院令第710号修订（{_UNCHECKED}）"),
    ("CSLH", "《城市绿化条例》", "2017年修订", "2017-03-01", "2017-03-01", "", None,
     f"国务院令第676号修订（{_UNCHECKED}）"),
    ("CSZM", "《城市照明管理规定》", "住房和城乡建设部令第4号", "2010-05-27", "2010-07-01", "", None,
     "住房和城乡建设部2010年5月27日公布，2010年7月1日起施行；第二十八条（禁止刻划、涂污、擅自迁移拆除城市照明设施等）"
     "、第三十二条（罚则：城市照明主管部门）据公开刊载的条文"),
    ("WZWZ", "《无证无照经营查处办法》", "国务院令第684号", "2017-08-06", "2017-10-01", "", None,
     "国务院2017年8月6日公布，2017年10月1日起施行"),
    ("WYGL", "《物业管理条例》", "2018年修订", "2018-03-19", "2018-03-19", "", None,
     f"国务院令第698号修订（{_UNCHECKED}）"),
    ("CZRQ", "《城镇燃气管理条例》", "2016年修订", "2016-02-06", "2016-02-06", "", None,
     f"国务院令第666号修订（{_UNCHECKED}）"),
    ("CZPS", "《城镇排水与污水处理条例》", "国务院令第641号", "2013-10-02", "2014-01-01", "", None,
     "国务院2013年10月2日公布，2014年1月1日起施行"),
    ("JSZL", "《建设工程质量管理条例》", "2019年修订", "2019-04-23", "2019-04-23", "", None,
     f"国务院令第714号修订（{_UNCHECKED}）"),
    ("YHBZ", "《烟花爆竹安全管理条例》", "2016年修订", "2016-02-06", "2016-02-06", "", None,
     f"国务院令第666号修订（{_UNCHECKED}）"),
    ("WHP", "《危险化学品安全管理条例》", "2013年修订", "2013-12-07", "2013-12-07", "", None,
     f"国务院令第645号修订（{_UNCHECKED}；是否已有上位法替代未核对）"),
    ("SHJZ", "《社会救助暂行办法》", "2019年修订", "2019-03-02", "2019-03-02", "", None,
     f"国务院令第709号修订（{_UNCHECKED}）"),
    ("BZGL", "《殡葬管理条例》", "2012年修订", "2012-11-09", "2013-01-01", "", None,
     f"国务院令第628号修订，2013年1月1日起施行（{_UNCHECKED}）"),
    ("LDJC", "《劳动保障监察条例》", "国务院令第423号", "2004-11-01", "2004-12-01", "", None,
     "国务院2004年11月1日公布，2004年12月1日起施行"),
    ("TGGD", "《禁止使用童工规定》", "国务院令第364号", "2002-10-01", "2002-12-01", "", None,
     "国务院2002年10月1日公布，2002年12月1日起施行"),
    ("NMGGZ", "《保障农民工工资支付条例》", "国务院令第724号", "2019-12-30", "2020-05-01", "", None,
     "国务院2019年12月30日公布，2020年5月1日起施行"),
    ("YBJJ", "《医疗保障基金使用监督管理条例》", "国务院令第735号", "2021-01-15", "2021-05-01", "", None,
     "国务院2021年1月15日公布，2021年5月1日起施行"),
    ("SGDC", "《生产安全事故报告和调查处理条例》", "国务院令第493号", "2007-04-09", "2007-06-01", "", None,
     "国务院2007年4月9日公布，2007年6月1日起施行"),
    ("ZRZH", "《自然灾害救助条例》", "2019年修订", "2019-03-02", "2019-03-02", "", None,
     f"国务院令第709号修订（{_UNCHECKED}）"),
    ("JZZ", "《居住证暂行条例》", "国务院令第663号", "2015-11-26", "2016-01-01", "", None,
     "国务院2015年11月26日公布，2016年1月1日起施行"),
    ("SPFZL", "《商品房屋租赁管理办法》", "住房和城乡建设部令第6号", "2010-12-01", "2011-02-01", "", None,
     "住房和城乡建设部2010年12月1日公布，2011年2月1日起施行；《住房租赁条例》施行后仍未废止（本库未见废止文件，未核对）"),
    ("NZGBH", "《女职工劳动保护特别规定》", "国务院令第619号", "2012-04-28", "2012-04-28", "", None,
     "国务院2012年4月28日公布施行；第十三条为罚则"),
    ("JZLJ", "《城市建筑垃圾管理规定》", "建设部令第139号", "2005-03-23", "2005-06-01", "", None,
     "建设部2005年3月23日公布，2005年6月1日起施行"),
]


def versions() -> list[dict[str, object]]:
    """The rows of the 法律法规 sheet, each version with its id and the id that replaced it."""
    rows: list[dict[str, object]] = []
    for work, title, label, adopted, in_force, repealed, articles, source in _VERSIONS:
        rows.append(
            {
                "id": f"{work}@{label}",
                "work": work,
                "title": title,
                "label": label,
                "adopted": adopted,
                "in_force": in_force,
                "repealed": repealed,
                "replaced_by": "",
                "articles": articles,
                "source": source,
            }
        )
    by_work: dict[str, list[dict[str, object]]] = {}
    for row in rows:
        by_work.setdefault(str(row["work"]), []).append(row)
    for group in by_work.values():
        group.sort(key=lambda r: str(r["in_force"]))
        for older, newer in zip(group, group[1:], strict=False):
            older["replaced_by"] = newer["id"]
    return rows


def version(work: str, label: str) -> dict[str, object]:
    for row in versions():
        if row["work"] == work and row["label"] == label:
            return row
    raise KeyError(f"no version {label!r} of {work!r} in the statutes table")


def cite(work: str, label: str, articles: str = "") -> str:
    """A citation of one version: 《title》（label）articles."""
    row = version(work, label)
    return f"{row['title']}（{label}）{articles}"


def current_label(work: str) -> str:
    """The label of the version of `work` that is in force now (no repeal date)."""
    live = [r for r in versions() if r["work"] == work and not r["repealed"]]
    if len(live) != 1:
        raise KeyError(f"{work!r} has {len(live)} versions without a repeal date")
    return str(live[0]["label"])


def cur(work: str, articles: str = "") -> str:
    """A citation of the version of `work` in force today (a work with one version in coverage)."""
    return cite(work, current_label(work), articles)


def every(work: str, articles: str | dict[str, str] = "") -> str:
    """Citations of every version of `work` in force at some time from COVERAGE_FROM on, joined by "；".

    `articles` is one string when the article numbers did not move between those versions, or a
    dict label -> articles when they did ("" = the version is cited without an article: its
    numbering was not checked).
    """
    lines = []
    for row in versions():
        if row["work"] != work or (row["repealed"] and str(row["repealed"]) <= COVERAGE_FROM):
            continue
        label = str(row["label"])
        arts = articles if isinstance(articles, str) else articles[label]
        lines.append(cite(work, label, arts))
    if not lines:
        raise KeyError(f"{work!r} has no version in force from {COVERAGE_FROM}")
    return "；".join(lines)
