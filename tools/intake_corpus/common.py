"""What every complaint shares: how callers open and close, where and when, their typos.

Illustrative (示意): written for this corpus in the manner of 12345 hotline records, 数字城管
reports, grid staff notes and petition letters; no real person's complaint is reproduced.
"""

from __future__ import annotations

OPENERS = [
    "", "", "", "你好，", "您好，", "喂，你好，", "我要反映个问题，", "我想反映一下，", "投诉！", "举报：",
    "12345你好，", "我是附近居民，", "我是这里的住户，", "麻烦问一下，", "求助：", "我反映个事哈，",
    "不好意思打扰一下，", "我再反映一次，", "市民来电反映：", "来电人称：", "网格员巡查发现：", "群众来信反映：",
    "来电人反映，", "我们几个邻居一起反映，", "老人打电话来说，", "又是我，", "紧急！", "我第三次打电话了，",
]

# {place} slots: filled by generate.py from the gazetteer and the catalog's community names.
PLACE_FORMS = [
    "{place}", "{place}门口", "{place}楼下", "{place}旁边", "{place}附近", "{place}对面", "{place}这一块",
    "{place}里面", "在{place}", "就在{place}", "{place}那个路口", "{place}后面那条巷子", "{place}进门左手边",
    "{place}{building}栋", "{place}{building}栋{unit}单元", "{place}{building}号楼下面",
]

TIMES = [
    "", "", "", "昨天晚上", "今天早上", "这几天", "最近一个月", "前天下午", "每天晚上十点以后", "今天上午九点多",
    "昨晚11点左右", "这个星期", "上周六", "从上个月开始", "已经半年了", "刚才", "今天中午12点", "凌晨两三点",
    "周末", "每天早上6点多", "国庆以来", "春节前后", "这两天下雨以后", "从3月份到现在",
]

CLOSERS = [
    "", "", "", "请尽快处理。", "希望有关部门管一管。", "谢谢！", "麻烦快点来看看。", "请相关部门核实处理。",
    "已经反映过几次了没人管。", "请给个答复。", "希望尽快解决，谢谢。", "太影响生活了。", "请派人来处理一下。",
    "要求回复。", "不处理我就一直打。", "诉求人要求尽快处理并回电。", "请督促整改。", "拜托了。",
    "我们老百姓真的没办法了。", "希望不要再推来推去。",
]

# (right, wrong): common slips of hurried typing and voice-to-text in hotline records.
TYPOS = [
    ("已经", "以经"), ("反映", "反应"), ("处理", "处里"), ("的", "得"), ("在", "再"), ("那个", "哪个"),
    ("一下", "以下"), ("麻烦", "麻繁"), ("没有", "木有"), ("小区", "小曲"), ("楼下", "楼吓"), ("晚上", "晚尚"),
    ("附近", "付近"), ("问题", "问提"), ("部门", "不门"), ("这里", "这哩"), ("什么", "神马"), ("现在", "现再"),
]

FILLERS = ["", "", "", "啊", "呢", "嘛", "哈", "真的是", "说实话", "你们说", "搞得", "实在是"]

BUILDINGS = ["1", "2", "3", "5", "6", "8", "9", "12", "15", "18", "21"]
UNITS = ["1", "2", "3", "4"]

# Short title forms (工单标题) some channels record instead of the caller's words.
TITLE_FORMS = [
    "关于{place}{core}的问题", "反映{place}{core}", "{place}{core}", "投诉{place}{core}", "{core}（{place}）",
    "求助：{core}", "{place}居民反映{core}",
]
