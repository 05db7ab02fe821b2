"""The six intake channels (多网合一) and their export columns, as data.

Each channel's typical export is read by one table of header aliases, the same mechanism as the
power-list loader (`powerlist.sheets.workbook.Vocabulary`: headers matched after NFKC and with
spaces, "(必填)" remarks and "*" removed; the header row may lie under title rows). The fields:

| field | meaning | in the issue |
|---|---|---|
| source_id | the channel's own id (工单编号, 案件编号, 告警编号, 信访件编号 …) | `id`, kept as written |
| received_at | when the channel received it | `received_at` |
| title, content | the resident's or reporter's words | matched; `description` |
| channel_category | the channel's own classification (大类/小类, 告警类型, 警情类别 …) | matched with the words |
| address, grid | where (诉求地址, 位置描述, 点位名称, 事发地址, 所属网格 …) | resolved to `location` |
| community_hint, street_hint | 所属社区, 所属街道 (a code or a name) | resolved to `location` |
| lon, lat | coordinates (经度/纬度, X坐标/Y坐标 in degrees) | resolved through boundaries |
| request_kind | 诉求类型, 信访目的 | `request_kind` |
| urgency | 紧急程度, 是否紧急 | `emergency` |
| phone, person | 联系电话, 来电人 … | read for header matching only; never written out |

`docs/intake.md` lists every channel's columns; `powerlist intake --help` names the channels.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..routing.issue import Channel

COMMON: dict[str, tuple[str, ...]] = {
    "community_hint": ("所属社区", "社区", "社区名称", "社区编码", "所属社区编码"),
    "street_hint": ("所属街道", "街道", "街道名称", "街道编码", "所属街道编码", "街道(乡镇)", "所属街镇"),
    "lon": ("经度", "lon", "lng", "longitude", "X坐标", "x坐标", "坐标X", "GPS经度", "LON", "LNG"),
    "lat": ("纬度", "lat", "latitude", "Y坐标", "y坐标", "坐标Y", "GPS纬度", "LAT"),
    "phone": ("联系电话", "电话", "联系方式", "手机号码"),
    "repeat": ("重复次数", "重复件次数"),
}


@dataclass(frozen=True)
class ChannelSpec:
    code: str  # the CLI's --channel value
    channel: Channel
    label: str
    fields: dict[str, tuple[str, ...]]
    multi: tuple[str, ...] = ()  # fields that may span several columns (大类名称 + 小类名称)

    @property
    def all_fields(self) -> dict[str, tuple[str, ...]]:
        merged = dict(COMMON)
        for name, aliases in self.fields.items():
            merged[name] = aliases + tuple(a for a in merged.get(name, ()) if a not in aliases)
        return merged


HOTLINE = ChannelSpec("12345", Channel.HOTLINE, "12345 热线工单", {
    "source_id": ("工单编号", "工单号", "受理编号", "工单流水号", "编号"),
    "received_at": ("受理时间", "来电时间", "登记时间", "创建时间", "接听时间"),
    "title": ("标题", "工单标题", "诉求标题", "主题"),
    "content": ("诉求内容", "来电内容", "问题描述", "诉求描述", "工单内容", "反映内容"),
    "address": ("诉求地址", "事发地址", "地址", "问题地址", "发生地址", "反映地址"),
    "phone": ("联系电话", "来电号码", "诉求人电话", "联系方式", "来电电话"),
    "person": ("来电人", "诉求人", "来电人姓名"),
    "request_kind": ("诉求类型", "工单类型", "来电类型", "诉求性质"),
    "channel_category": ("问题分类", "诉求分类", "业务分类", "热线分类"),
    "urgency": ("紧急程度", "是否紧急", "缓急程度"),
})

DIGITAL_CITY = ChannelSpec("szcg", Channel.DIGITAL_CITY, "数字城管案件 (GB/T 30428)", {
    "source_id": ("任务号", "案件编号", "案卷编号", "案件号", "任务编号"),
    "received_at": ("上报时间", "立案时间", "发现时间", "受理时间"),
    "title": ("问题类型", "案件类型", "案件类别"),
    "channel_category": ("大类名称", "小类名称", "大类", "小类", "问题大类", "问题小类"),
    "content": ("问题描述", "案件描述", "描述"),
    "address": ("位置描述", "地址描述", "发生地址", "事发地址", "发生位置"),
    "grid": ("万米单元网格", "单元网格", "单元网格编码", "所属网格"),
    "source": ("问题来源", "案件来源", "信息来源"),
    "component": ("部件编码", "部件标识码", "部件编号"),
    "district": ("所属区", "区域", "所属区县"),
    "urgency": ("紧急程度", "是否紧急"),
}, multi=("channel_category",))

VIDEO = ChannelSpec("xueliang", Channel.VIDEO, "雪亮工程告警", {
    "source_id": ("告警编号", "报警编号", "事件编号", "告警ID", "告警id", "预警编号"),
    "received_at": ("告警时间", "报警时间", "抓拍时间", "发生时间", "预警时间"),
    "channel_category": ("告警类型", "事件类型", "算法类型", "识别类型", "预警类型"),
    "content": ("告警描述", "事件描述", "告警内容", "描述"),
    "address": ("点位地址", "安装地址", "设备地址", "点位名称", "摄像机名称", "设备名称"),
    "device": ("设备编号", "点位编号", "摄像机编号", "设备编码"),
    "urgency": ("告警级别", "紧急程度"),
}, multi=("address",))

PETITION = ChannelSpec("xinfang", Channel.PETITION, "阳光信访件", {
    "source_id": ("信访件编号", "信件编号", "信访编号", "件号", "信访件号"),
    "received_at": ("登记时间", "来信日期", "信访日期", "提交时间", "受理日期", "登记日期"),
    "request_kind": ("信访目的", "诉求类型"),
    "title": ("信访标题", "标题", "事项标题"),
    "content": ("信访内容", "主要诉求", "诉求内容", "信访事项", "反映内容"),
    "address": ("问题属地", "问题发生地", "事发地", "问题发生地址"),
    "channel_category": ("内容分类", "问题类别", "信访分类"),
    "person": ("信访人", "姓名"),
    "urgency": ("紧急程度",),
})

POLICE = ChannelSpec("110", Channel.POLICE, "110 非警务警情", {
    "source_id": ("警情编号", "接警编号", "接警单编号", "接警单号", "警情单号"),
    "received_at": ("接警时间", "报警时间", "受理时间"),
    "content": ("报警内容", "警情内容", "简要警情", "警情描述", "简要案情"),
    "address": ("发案地址", "事发地址", "报警地址", "警情地址", "发生地址"),
    "channel_category": ("警情类别", "警情类型", "警情性质"),
    "phone": ("报警电话", "报警人电话", "联系电话"),
    "person": ("报警人", "报警人姓名"),
    "transferred_at": ("转办时间", "移交时间"),
    "station": ("管辖派出所", "接警单位"),
    "urgency": ("紧急程度",),
})

GRID = ChannelSpec("grid", Channel.GRID, "网格事件", {
    "source_id": ("事件编号", "事件单号", "事件号"),
    "received_at": ("上报时间", "发现时间", "登记时间"),
    "title": ("事件标题", "标题"),
    "content": ("事件描述", "事件内容", "问题描述", "描述"),
    "address": ("事件地址", "发生地点", "地址", "事发地址"),
    "grid": ("所属网格", "网格名称", "网格"),
    "channel_category": ("事件类型", "事件大类", "事件小类", "事件类别"),
    "person": ("网格员", "上报人"),
    "urgency": ("紧急程度", "是否紧急"),
}, multi=("channel_category",))

CHANNELS: dict[str, ChannelSpec] = {spec.code: spec for spec in (HOTLINE, DIGITAL_CITY, VIDEO, PETITION, POLICE, GRID)}
TEXT_FIELDS = ("channel_category", "title", "content")
PLACE_FIELDS = ("address", "grid")
