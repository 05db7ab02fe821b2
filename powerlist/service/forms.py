"""Reading a posted form — 表单: bounded, strict, every failure a clear 4xx.

Open311 posts `application/x-www-form-urlencoded; charset=utf-8`; multipart/form-data is also
read (HTML forms with files, some clients). Anything else is 415; text that is not UTF-8, a
broken percent-escape or multipart body, or more than MAX_FIELDS fields is 400. The size of a
body is bounded before it is read (`limits.BodyLimit`, 413).
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request

MAX_FIELDS = 200
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class FormError(Exception):
    """A form that cannot be read; `status` is the HTTP status to answer."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def content_type(request: Request) -> tuple[str, dict[str, str]]:
    raw = request.headers.get("content-type", "")
    kind, *params = (part.strip() for part in raw.split(";"))
    options: dict[str, str] = {}
    for param in params:
        name, _, value = param.partition("=")
        options[name.strip().lower()] = value.strip().strip('"').lower()
    return kind.lower(), options


async def read_form(request: Request, limit: int) -> dict[str, list[str]]:
    """The fields of a posted form, each with all its values (files are refused)."""
    kind, options = content_type(request)
    if kind not in FORM_TYPES:
        raise FormError(415, "Content-Type 应为 application/x-www-form-urlencoded (the body must be form-encoded: "
                             f"application/x-www-form-urlencoded; charset=utf-8, not {kind[:60] or 'none'!r})")
    charset = options.get("charset", "utf-8")
    if charset not in ("utf-8", "utf8"):
        raise FormError(400, f"字符集应为 UTF-8 (the charset must be UTF-8, not {charset[:30]!r})")
    if kind == "multipart/form-data":
        return await _multipart(request)
    body = await request.body()
    if len(body) > limit:
        raise FormError(413, f"请求体过大：至多 {limit} 字节 (the body is over {limit} bytes)")
    try:
        text = body.decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict", max_num_fields=MAX_FIELDS)
    except UnicodeDecodeError:
        raise FormError(400, "表单不是 UTF-8 文本 (the form is not UTF-8 text)") from None
    except ValueError:
        raise FormError(
                400, f"表单字段过多或格式有误：至多 {MAX_FIELDS} 个字段 (malformed form, or more than {MAX_FIELDS} "
                             "fields)") from None
    fields: dict[str, list[str]] = {}
    for name, value in pairs:
        fields.setdefault(name, []).append(value)
    return fields


async def _multipart(request: Request) -> dict[str, list[str]]:
    try:
        form = await request.form(max_files=0, max_fields=MAX_FIELDS)
    except (HTTPException, MultiPartException) as error:  # starlette's answer to a broken multipart body
        detail = getattr(error, "detail", None) or getattr(error, "message", "")
        raise FormError(400, f"multipart 表单格式有误 (malformed multipart form: {str(detail)[:120]})") from None
    fields: dict[str, list[str]] = {}
    for name, value in form.multi_items():
        if isinstance(value, UploadFile):
            raise FormError(400, "此处不接受文件 (files are not accepted here)")
        fields.setdefault(name, []).append(value)
    return fields


__all__ = ["FORM_TYPES", "FormError", "MAX_FIELDS", "content_type", "read_form"]
