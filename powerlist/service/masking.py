"""Masking personal data — 脱敏: what public pages and public Open311 answers may show.

Public views (the resident front end, `/requests/{id}`, `/ranking`, Open311 GET) never show a
reporter's name, phone number, e-mail, identity number or exact house number. Structured
fields (first_name, last_name, phone, email, device_id, account_id) are simply never shown;
free text (description, address) is masked by `mask_text`:

- mobile numbers (1[3-9] + 9 digits) keep the first 3 and last 2 digits: 138******78;
  landlines and other long digit runs (7+ digits) keep the last 2;
- 18-digit identity numbers and e-mail addresses are replaced whole;
- house numbers — digits before 号, 号楼, 栋, 幢, 单元, 室, 层, 楼, 户, 弄, 巷 and 门 — become *;
- a name introduced by 我叫 / 我是 / 本人 / 联系人 / 报告人 / 反映人 / 姓名 keeps its first
  character (张**), and so do "X先生 / X女士 / X师傅 / 老X / 小X" forms;
- the reporter's own names, when given, are masked wherever they occur.

Coordinates are rounded to 3 decimals (about 100 m) in public answers.

Limitations: a name written without any of these cues ("张三说…") is not recognised; such text
is why descriptions are only ever shown masked and never with the reporter's fields.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{6})(\d{2})(?!\d)")
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_LONG_DIGITS = re.compile(r"(?<!\d)(\d[\d-]{5,})(\d{2})(?!\d)")
_HOUSE = re.compile(r"[0-9０-９一二三四五六七八九十百零〇-]+(?=(号楼|号院|号|栋|幢|单元|室|层|楼|户|弄|巷|门))")
_CUE = re.compile(r"((?:我叫|我是|本人|联系人|报告人|反映人|投诉人|来电人|姓名)[:：]?)\s*([\u4e00-\u9fff·]{2,4})")
_TITLE = re.compile(r"([\u4e00-\u9fff])(?=(先生|女士|师傅|阿姨|大爷|奶奶|老师))")
_FAMILIAR = re.compile(r"(?<=[老小])([\u4e00-\u9fff])(?=[，,。\s说讲的])")
_KEEP_AFTER_CUE = frozenset("在住家")


def mask_name(name: str | None) -> str:
    """A person's name with only its first character shown: 张三 → 张*, 欧阳娜娜 → 欧***."""
    if not name:
        return ""
    text = name.strip()
    return text[:1] + "*" * max(1, len(text) - 1) if text else ""


def mask_phone(phone: str | None) -> str:
    """A phone number with only its last 2 digits shown."""
    if not phone:
        return ""
    digits = [c for c in phone if c.isdigit()]
    return "*" * max(0, len(digits) - 2) + "".join(digits[-2:])


def _cue(match: re.Match[str]) -> str:
    name = match.group(2)
    # "我是本小区居民" is not a name: a cue followed by a place word keeps the text.
    if name[0] in _KEEP_AFTER_CUE or name.startswith(("本", "这", "该", "一")):
        return match.group(0)
    return match.group(1) + mask_name(name)


def mask_text(text: str | None, names: Iterable[str | None] = ()) -> str:
    """Free text safe to publish (see the module docstring)."""
    if not text:
        return ""
    out = text
    for name in sorted({n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True):
        out = out.replace(name, mask_name(name))
    out = _EMAIL.sub("***@***", out)
    out = _ID_NUMBER.sub("******************", out)
    out = _MOBILE.sub(lambda m: m.group(1) + "*" * 6 + m.group(3), out)
    out = _LONG_DIGITS.sub(lambda m: "*" * len(m.group(1)) + m.group(2), out)
    out = _HOUSE.sub("*", out)
    out = _CUE.sub(_cue, out)
    out = _TITLE.sub("*", out)
    out = _FAMILIAR.sub("*", out)
    return out


def round_coordinate(value: float | None) -> float | None:
    """A coordinate as published: 3 decimals (about 100 m), never the exact point."""
    return None if value is None else round(value, 3)


__all__ = ["mask_name", "mask_phone", "mask_text", "round_coordinate"]
