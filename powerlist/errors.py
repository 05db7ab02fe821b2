"""One error hierarchy: bugs raise anything, user mistakes raise these.

Every problem in user input is a located `Problem` (file, sheet, cell or row, field, value,
what was expected); an `InputError` carries all problems of one input at once, like pydantic's
ValidationError, so a user fixes a file in one pass.

Chinese first — 中文在前: every message a user sees reads "中文说明 (English explanation)". A
message is written so where it is raised; `chinese_first` tells whether it is. As a guarantee
for messages written in English only (a library's words, a new message), a `Problem` whose
message is not Chinese-first is given the Chinese of its `code` in front (`PROBLEM_ZH`, one
entry per problem code; a test keeps every code used in the source in this table), and an
`InputError` summary the words 输入有误. `pydantic_message` gives pydantic's validation errors in
Chinese with pydantic's English after it, and never a Python class name.
"""

from __future__ import annotations

import errno
import re
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def chinese_first(text: str) -> bool:
    """True when the first letter of `text` is a Chinese character (digits, marks and quotes
    before it do not count): "“45843”是数字…" is, "header lacks 事项名称" is not."""
    for char in text:
        if char.isalpha():
            return bool(_CJK.match(char))
    return False


def bilingual(message: str, chinese: str) -> str:
    """`message` if it is Chinese-first, else "`chinese` (`message`)"."""
    return message if chinese_first(message) else f"{chinese} ({message})"


def escape_surrogates(text: str) -> str:
    """`text` with every lone surrogate (a code point that is not a character: JSON's
    "\\udfff", a non-UTF-8 byte in a file name or an argument) written as its escape, \\udfff.
    Nothing can encode a lone surrogate, so no problem, id or value carries one to a writer."""
    if _LONE_SURROGATE.search(text) is None:
        return text
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


class Problem(BaseModel):
    """One located problem in user input."""

    model_config = ConfigDict(frozen=True)

    message: str  # Chinese first, English after it (see the module's docstring)
    file: str | None = None
    sheet: str | None = None
    cell: str | None = None  # spreadsheet cell, e.g. "D17"
    row: int | None = None  # row or line number (1-based) for CSV/JSONL/rows without a cell
    field: str | None = None
    value: str | None = None
    code: str | None = None  # machine-readable type, e.g. "unknown-kind"

    @model_validator(mode="before")
    @classmethod
    def _chinese_first(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("message"), str) and not chinese_first(data["message"]):
            chinese = PROBLEM_ZH.get(data.get("code") or "", "输入有误")
            data = {**data, "message": f"{chinese} ({data['message']})"}
        return data

    @field_validator("message", "file", "sheet", "cell", "field", "value", mode="after")
    @classmethod
    def _encodable(cls, text: str | None) -> str | None:
        # A problem is written to every output (JSON, CSV, XLSX, the terminal): it must encode.
        return None if text is None else escape_surrogates(text)

    @property
    def where(self) -> str:
        parts: list[str] = []
        if self.file:
            parts.append(self.file)
        if self.sheet and self.cell:
            parts.append(f"{self.sheet}!{self.cell}")
        elif self.sheet:
            parts.append(self.sheet)
        elif self.cell:
            parts.append(self.cell)
        if self.row is not None and not self.cell:
            parts.append(f"row {self.row}")
        if self.field:
            parts.append(f"field {self.field!r}")
        return ": ".join(parts) if parts else "输入 input"

    def __str__(self) -> str:
        # The location reads like a compiler's (file: Sheet!D17: row 3: field 'x'), the message
        # is Chinese first.
        shown = "" if self.value is None else f" (value {_short(self.value)!r})"
        return f"{self.where}: {self.message}{shown}"

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "sheet": self.sheet,
            "cell": self.cell,
            "row": self.row,
            "field": self.field,
            "value": self.value,
            "message": self.message,
            "code": self.code,
        }


def _short(value: str, limit: int = 80) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


class PowerlistError(Exception):
    """Base of every error powerlist raises on purpose. A message that is not Chinese first
    is given the class's `chinese` words in front."""

    chinese = "出错"

    def __init__(self, *args: object) -> None:
        if len(args) == 1 and isinstance(args[0], str) and not chinese_first(args[0]):
            args = (f"{self.chinese} ({args[0]})",)
        super().__init__(*args)


class InputError(PowerlistError):
    """User input (a spreadsheet, a file, an issue, a rules table) that cannot be used.

    Carries every problem found, each located. Nothing from the input was loaded.
    """

    def __init__(self, problems: Iterable[Problem], summary: str | None = None) -> None:
        self.problems: list[Problem] = list(problems)
        if not self.problems:
            raise ValueError("InputError needs at least one problem")
        count = len(self.problems)
        self.summary = escape_surrogates(bilingual(summary, "输入有误") if summary
                                         else f"输入有 {count} 处问题 ({count} problem(s) in input)")
        super().__init__(self._render())

    def _render(self, limit: int = 50) -> str:
        lines = [self.summary + ":"]
        lines += [f"  - {p}" for p in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f"  … 另有 {len(self.problems) - limit} 处 (and {len(self.problems) - limit} more)")
        return "\n".join(lines)

    def as_json(self) -> list[dict[str, Any]]:
        return [p.as_json() for p in self.problems]


class StoreError(InputError):
    """A case store that cannot be used as asked: busy, read-only, full, corrupted, not a case
    store, unreachable. One located problem (the file or database, what failed), never a
    traceback: the database, the file system and the OS are not bugs of powerlist."""


class CalendarError(InputError):
    """A working-day computation reached a year the calendar does not know."""


class FileError(InputError):
    """A file or directory the user named that cannot be read or written as asked: a missing
    directory, a directory where a file belongs, a full device, a read-only file, an output
    that is one of the inputs. One located problem, in Chinese with the English after it."""


_OS_REASONS: dict[int, tuple[str, str]] = {
    errno.ENOSPC: ("设备空间已满", "no space left on the device"),
    errno.EDQUOT: ("磁盘配额已用完", "disk quota exceeded"),
    errno.EROFS: ("文件系统只读", "read-only file system"),
    errno.EACCES: ("没有权限", "permission denied"),
    errno.EPERM: ("不允许此操作", "operation not permitted"),
    errno.ENOENT: ("文件或目录不存在", "no such file or directory"),
    errno.ENOTDIR: ("路径中有一段不是目录", "a part of the path is not a directory"),
    errno.EISDIR: ("这是一个目录", "is a directory"),
    errno.EEXIST: ("已存在", "already exists"),
    errno.ENAMETOOLONG: ("文件名太长", "file name too long"),
    errno.ELOOP: ("符号链接循环", "too many levels of symbolic links"),
    errno.EIO: ("输入输出错误（磁盘或网络存储故障？）", "input/output error (a failing disk or network storage?)"),
    errno.EMFILE: ("打开的文件太多", "too many open files"),
    errno.EFBIG: ("文件太大", "file too large"),
    errno.EXDEV: ("不能跨文件系统改名", "cross-device rename"),
    errno.EBUSY: ("设备或资源忙", "device or resource busy"),
    errno.ETXTBSY: ("文件正被使用", "text file busy"),
}


def os_reason(error: OSError) -> tuple[str, str]:
    """What the operating system said, (Chinese, English)."""
    known = _OS_REASONS.get(error.errno or -1)
    if known is not None:
        return known
    return "操作系统错误", f"operating system error: {error.strerror or error}"


def os_error(error: OSError, file: str, action: str, action_en: str, *, code: str | None = None) -> FileError:
    """The `FileError` of an OS failure while `action` (e.g. 写入) on `file`: one located line,
    in Chinese with the English after it, never a traceback."""
    zh, en = os_reason(error)
    problem = Problem(message=f"{action}失败：{zh} (cannot {action_en}: {en})", file=file,
                      code=code or f"os-{errno.errorcode.get(error.errno or -1, 'error').lower()}")
    return FileError([problem], f"{action}失败 (cannot {action_en})")


class TransitionError(PowerlistError):
    """A case event that the lifecycle does not allow in the case's current state."""

    chinese = "案件不能登记此事件"


class ProblemCollector:
    """Gathers problems while reading one input; raises them all at the end. `notes` are what
    a reader did that a user should hear of without it being wrong (a footer row skipped)."""

    def __init__(self, file: str | None = None) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.notes: list[Problem] = []

    def note(self, message: str, **where: Any) -> None:
        where.setdefault("file", self.file)
        self.notes.append(Problem(message=message, **where))

    def add(self, message: str, **where: Any) -> None:
        where.setdefault("file", self.file)
        if where.get("value") is not None and not isinstance(where["value"], str):
            where["value"] = str(where["value"])
        self.problems.append(Problem(message=message, **where))

    def __bool__(self) -> bool:
        return bool(self.problems)

    def raise_if_any(self, summary: str | None = None) -> None:
        if self.problems:
            raise InputError(self.problems, summary)


# ---- Chinese of every problem code ----------------------------------------------------------
# The lead a message written in English only is given (see the module's docstring); codes of
# pydantic's errors are translated with their context by `pydantic_message` instead.

PROBLEM_ZH: dict[str, str] = {
    # files and workbooks
    "not-found": "文件不存在", "not-a-file": "不是文件（目录或设备？）", "empty-file": "文件为空（0 字节）",
    "too-large": "文件过大", "io-error": "无法打开文件", "not-xlsx": "不是 .xlsx 工作簿",
    "corrupt": "工作簿已损坏或不完整", "zip-bomb": "压缩包大小异常（疑似 zip 炸弹），拒绝读取",
    "too-many-merges": "合并单元格过多", "unknown-format": "不支持的文件类型", "exists": "文件已存在，未覆盖",
    "encoding": "文件编码不符", "empty": "文件为空，没有表头行", "csv": "无法读取的 CSV 内容",
    "json": "不是有效的 JSON", "empty-workbook": "工作簿为空", "no-header": "找不到表头行",
    "missing-sheet": "缺少工作表", "catalog-workbook": "这是目录工作簿，不是权责清单",
    "footer-row": "已跳过表尾的签名、说明行", "parquet": "无法读取的 Parquet 文件",
    "changed": "文件在读取过程中被改动",
    # cells and rows
    "formula-no-value": "公式单元格没有缓存值：请在 Excel 或 WPS 中打开后保存，或直接填写数值",
    "formula-text": "单元格文字会被电子表格程序当作公式执行（公式注入？）：请去掉开头的 =、+、- 或 @",
    "error-value": "单元格是 Excel 错误值（如 #N/A、#REF!）：请修正公式或数值",
    "cell-too-long": "单元格文字过长", "missing-column": "表头缺少必填列", "duplicate-column": "同一字段有两列",
    "extra-cells": "单元格多于表头列数", "empty-cell": "必填单元格为空", "empty-code": "事项编码为空",
    "missing-value": "必填项为空", "bad-value": "取值无效", "bad-number": "应为整数",
    "no-items": "工作表只有表头，没有数据行",
    "duplicate-field": "同一字段填写了两次", "duplicate-id": "编号重复", "duplicate-code": "编码重复",
    "duplicate-case": "案件编号重复", "duplicate-subject": "考核对象重复", "duplicate-date": "日期重复",
    "duplicate-delegation": "同一事项在同一街道重复承接",
    # names and codes of the catalog
    "unknown-kind": "未知的权力类型", "bad-mode": "未知的承接方式", "unknown-item": "未知的权力事项",
    "unknown-street": "未知的街道", "unknown-community": "未知的社区", "unknown-unit": "未知的单位",
    "unknown-department": "未知的部门", "unknown-district": "未知的区县", "unknown-category": "未知的问题分类",
    "unknown-location": "未知的发生地点", "unknown-subject": "未知的考核对象", "ambiguous-name": "名称有歧义",
    "unknown-name": "名称在目录中找不到", "bad-code": "编码格式不对", "not-stationed": "该部门未标为派驻",
    "bad-scope": "吹哨范围无效", "bad-parent": "上级分类无效", "bad-date": "日期无效", "bad-time": "时间无法识别",
    "date-out-of-range": "日期超出可计算的范围", "calendar-unknown-year": "工作日历没有该年份的放假安排",
    "catalog-unknown-item": "目录不完整：分类引用的事项不在权责清单中",
    "catalog-no-holder": "目录不完整：没有单位持有该事项",
    # rules
    "rules-gap": "规则表没有匹配的行", "rules-bad-param": "规则参数无效", "overlap": "规则行互相重叠",
    "missing-table": "规则缺少决策表",
    "toml": "不是有效的 TOML", "missing-rules": "缺少规则文件", "bad-param": "参数无效",
    "bad-parameter": "参数无效", "unknown-profile": "未知的权重方案", "unknown-component": "未知的考评项",
    "bad-weight": "权重无效", "negative-weight": "权重不能为负", "missing-weight": "缺少权重",
    "weights-not-one": "权重之和不为 1", "bad-period": "考核周期无效",
    # cases
    "bad-store": "不是可用的案件库", "bad-case": "案件记录无法计分", "not-holding": "只有承办单位可以退单",
    "not-an-extension": "延期后的时限必须晚于原时限", "bad-survey": "第三方回访得分应为 0–100 的数",
    "bad-satisfaction": "满意度无效", "misplaced-option": "该选项不适用于此事件", "bad-event": "未知的案件事件",
    "unknown-case": "案件库中没有该案件",
    # scenarios
    "bad-expectation": "预期值无法识别", "no-expectation": "该行没有任何预期值",
    # statutes and principal powers (issue 11)
    "duplicate-power": "同一事项既是主要权力又是相关权力", "overlapping-versions": "同一法规的版本施行期间重叠",
    "unknown-version": "法规版本不在法律法规表中",
    # intake: matcher, gazetteer, channels (issue 14)
    "bad-array": "模型文件中的数组无法使用", "bad-folds": "交叉验证折数无效", "too-few-rows": "训练行数太少",
    "bad-option": "训练选项无效", "unknown-option": "未知的训练选项", "bad-threshold": "复核阈值无效",
    "length-mismatch": "条目数不一致", "empty-label": "标签为空", "empty-text": "文本为空",
    "unknown-label": "未知的标签", "not-json": "不是有效的 JSON 文件", "bad-cell": "单元格取值无效",
    "not-geojson": "不是 GeoJSON 要素集合", "bad-geometry": "几何类型不对", "invalid-geometry": "几何无效",
    "missing-code": "缺少编码", "missing-id": "编号为空", "no-text": "没有可匹配的诉求文字",
    "unresolved-place": "地点无法确定到社区或街道",
    # the service: requests, keys, case events (issue 15)
    "bad-attribute": "属性参数写法不对", "bad-email": "不是电子邮件地址", "bad-phone": "电话号码无效",
    "bad-token": "客户端令牌无效", "bad-url": "网址无效", "control-characters": "含控制字符",
    "coordinates-only": "仅凭坐标无法定位", "half-coordinates": "经纬度须同时给出", "too-long": "文字过长",
    "missing-location": "缺少位置", "missing-service-code": "缺少服务类别 service_code",
    "no-gazetteer": "此版本无法解析地址文字", "unresolved-address": "无法确定地址所在的社区或街道",
    "unknown-address-id": "地址编号 address_id 不是目录中的社区或街道编码", "unknown-attribute": "未知的属性",
    "unknown-service-code": "未知的服务类别 service_code", "unmatched": "自动匹配的类别不在目录中",
    "not-routed": "无法派单", "token-taken": "客户端令牌已被使用", "repeated-parameter": "参数重复",
    "too-many": "条目太多", "bad-status": "状态无效", "bad-range": "日期范围无效", "range-too-long": "日期范围过长",
    "bad-flag": "应为 true 或 false", "bad-header": "表头不对", "bad-row": "行的列数不对", "bad-key": "密钥无效",
    "bad-role": "未知的角色", "bad-encoding": "文件编码不对", "duplicate-key": "键重复",
    "missing-unit": "缺少单位编码", "unit-not-allowed": "该角色不应填写单位", "wrong-unit-kind": "单位类型与角色不符",
    "empty-path": "案件库路径为空", "postgres-not-installed": "未安装 PostgreSQL 案件库",
    "future-time": "时间不能晚于现在", "missing-event": "缺少事件", "unknown-event": "未知的事件",
    # files: writing every output, reading hostile files (issue 12)
    "no-directory": "输出目录不存在", "not-a-directory": "不是目录", "output-is-directory": "输出路径是一个目录",
    "output-is-input": "输出会覆盖输入文件", "output-read-only": "输出文件只读", "os-error": "操作系统错误",
    "is-a-directory": "这是一个目录，不是文件", "rows-out-of-order": "工作表的行号倒序（行会丢失），拒绝读取",
    "strict-ooxml": "严格 OOXML（Strict Open XML）格式的工作簿，请另存为普通 .xlsx",
    "encrypted": "工作簿已加密，请去掉密码后另存", "lone-surrogate": "文字含无法编码的孤立代理字符",
    "invisible-character": "编码中含不可见字符", "time-out-of-range": "时间超出可计算的范围",
    "bad-period-year": "考核周期的年份超出范围",
    # the case store (issue 12)
    "implausible-time": "时间不在案件库的合理时间窗口内", "bad-window": "时间窗口无效",
    "deadline-before-notice": "时限早于单位收到通知的时间", "no-events": "案件没有事件",
    "bad-history": "案件的事件记录无法重放", "bad-snapshot": "案件快照无法读取",
    "snapshot-differs": "重放结果与存储的快照不一致", "copy-differs": "复制结果与源案件库不一致",
    "target-not-empty": "目标案件库不是空的", "bad-schema": "案件库版本不符", "foreign-database": "不是案件库的数据库",
    "not-a-store": "不是案件库", "store-busy": "案件库正忙", "store-corrupt": "案件库已损坏",
    "store-full": "案件库所在设备已满", "store-io": "案件库读写出错", "store-read-only": "案件库只读",
    "store-refused": "案件库拒绝写入", "store-retry": "案件库事务冲突，已回滚", "store-unreachable": "无法连接案件库",
}

# pydantic's error types → Chinese, with its context ({ge}, {max_length} …) filled in.
_PYDANTIC_ZH: dict[str, str] = {
    "missing": "必填字段缺失", "extra_forbidden": "不认识的字段", "string_type": "应为文字",
    "string_too_short": "不能为空", "string_too_long": "文字过长（最多 {max_length} 个字符）",
    "int_type": "应为整数", "int_parsing": "应为整数", "int_from_float": "应为整数（不能有小数）",
    "float_type": "应为数字", "float_parsing": "应为数字", "decimal_type": "应为数字", "decimal_parsing": "应为数字",
    "finite_number": "应为有限的数字", "bool_type": "应为是或否",
    "bool_parsing": "应为是或否（是/否、true/false、1/0）",
    "greater_than_equal": "应大于或等于 {ge}", "greater_than": "应大于 {gt}", "less_than_equal": "应小于或等于 {le}",
    "less_than": "应小于 {lt}", "datetime_type": "应为时间", "datetime_parsing": "时间无法识别",
    "datetime_from_date_parsing": "时间无法识别", "date_type": "应为日期", "date_parsing": "日期无法识别",
    "date_from_datetime_parsing": "日期无法识别", "timezone_aware": "时间应带时区",
    "enum": "取值不在可选范围内：{expected}",
    "literal_error": "取值不在可选范围内：{expected}", "model_type": "应为一个对象（JSON 对象，字段名: 值）",
    "model_attributes_type": "应为一个对象（JSON 对象，字段名: 值）",
    "dict_type": "应为一个对象（JSON 对象，字段名: 值）",
    "list_type": "应为列表", "tuple_type": "应为列表", "too_short": "条目太少", "too_long": "条目太多",
    "json_invalid": "不是有效的 JSON", "json_type": "应为 JSON 文本", "value_error": "取值无效",
    "assertion_error": "取值无效", "frozen_instance": "值不能修改", "url_parsing": "不是有效的网址",
}
_PYTHON_CLASS = re.compile(r"(?:a valid dictionary or )?instance of [A-Za-z_][\w.]*")


def pydantic_message(error: Mapping[str, Any]) -> str:
    """One of pydantic's errors (an item of `ValidationError.errors()`) in Chinese, pydantic's
    English after it; a message a validator wrote itself (Chinese first) is kept as written.
    No Python class name is ever shown: "instance of Issue" reads "a JSON object"."""
    kind = str(error.get("type", ""))
    english = str(error.get("msg", ""))
    for prefix in ("Value error, ", "Assertion failed, "):
        english = english.removeprefix(prefix)
    if chinese_first(english):
        return english
    english = _PYTHON_CLASS.sub("a JSON object", english)
    template = _PYDANTIC_ZH.get(kind, PROBLEM_ZH.get(kind, "取值无效"))
    context = {k: str(v) for k, v in (error.get("ctx") or {}).items()}
    try:
        chinese = template.format(**context)
    except (KeyError, IndexError):
        chinese = template.split("{")[0].rstrip("：: ")
    return f"{chinese} ({english})"
