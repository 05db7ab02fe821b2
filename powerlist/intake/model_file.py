"""The matcher's model file: data, never code (no pickle), versioned, validated on load.

A model file is one JSON document, optionally gzip-compressed (the first two bytes 1f 8b say
which; `.json.gz` is the usual name). Loading it can never run code: it is parsed by `json` and
every field is checked before a `Matcher` is built from it. Format ``powerlist-matcher``,
version 1 (also in ``docs/intake.md``):

| key | what |
|---|---|
| ``format`` | ``"powerlist-matcher"`` |
| ``version`` | ``1`` |
| ``labels`` | the categories (codes or a city's own labels), one per model row; unique, non-empty |
| ``features`` | `FeatureParams`: character n-gram range, jieba words on/off, max_chars, sublinear_tf |
| ``vocabulary`` | the feature terms in column order; unique strings |
| ``idf`` | array [n_terms]: the inverse document frequency of each term |
| ``coef`` | array [n_labels, n_terms]: the linear model's weights |
| ``intercept`` | array [n_labels] |
| ``calibration`` | ``{"method": "temperature", "temperature": T}``: confidence = softmax(scores / T) |
| ``review_threshold`` | confidence below which a prediction `needs_review` (0–1) |
| ``training`` | what trained it: row count, options (no timestamp: files are reproducible) |
| ``label_names`` | optional: label → display name |

An array is ``{"dtype": "float32" | "float16" | "int8", "shape": [...], "data": base64 of the
little-endian values}``; an ``int8`` array also carries ``"scale"``: one float per row (a value
is int8 × its row's scale). Written with sorted keys, no whitespace and a gzip header without
name or time, so the same model gives the same bytes.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import io
import json
import math
import zlib
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ValidationError

from ..errors import InputError, Problem
from .features import FeatureParams

FORMAT = "powerlist-matcher"
VERSION = 1
MAX_BYTES = 512 * 1024 * 1024  # decompressed size a model file may have
MIB = MAX_BYTES // 2**20
_DTYPES = {"float32": "<f4", "float16": "<f2", "int8": "i1"}
SUMMARY = "模型文件无法使用 (cannot use the model file)"


def encode_array(values: np.ndarray, dtype: str = "float32") -> dict[str, Any]:
    """An array as model-file JSON; int8 is quantised per row (2-D) or as one row (1-D)."""
    array = np.asarray(values, dtype=np.float64)
    if dtype == "int8":
        rows = array.reshape(array.shape[0], -1) if array.ndim > 1 else array.reshape(1, -1)
        peak = np.abs(rows).max(axis=1) if rows.size else np.zeros(rows.shape[0])
        scale = np.where(peak > 0, peak / 127.0, 1.0)
        quantised = np.rint(rows / scale[:, None]).astype("i1")
        return {"dtype": "int8", "shape": list(array.shape), "scale": [float(s) for s in scale],
                "data": base64.b64encode(quantised.tobytes()).decode("ascii")}
    raw = array.astype(_DTYPES[dtype]).tobytes()
    return {"dtype": dtype, "shape": list(array.shape), "data": base64.b64encode(raw).decode("ascii")}


def decode_array(value: Any, field: str, shape: tuple[int, ...], problems: list[Problem],
                 file: str) -> np.ndarray | None:
    """The array stored at `field`, checked against `shape`; None (and a problem) when unusable."""

    def bad(message: str) -> None:
        problems.append(Problem(message=message, file=file, field=field, code="bad-array"))

    if not isinstance(value, dict):
        bad("应为数组对象 {dtype, shape, data} (expected an array object {dtype, shape, data})")
        return None
    dtype = value.get("dtype")
    if dtype not in _DTYPES:
        bad(f"未知的数据类型 {dtype!r} (unknown dtype; expected one of {', '.join(_DTYPES)})")
        return None
    given = value.get("shape")
    integers = isinstance(given, list) and all(isinstance(g, int) and not isinstance(g, bool) for g in given)
    if not integers or tuple(given or ()) != shape:
        bad(f"形状应为 {list(shape)}，实为 {given!r} (shape must be {list(shape)}, found {given!r})")
        return None
    data = value.get("data")
    try:
        raw = base64.b64decode(data, validate=True) if isinstance(data, str) else None
    except (binascii.Error, ValueError):
        raw = None
    if raw is None:
        bad("data 不是 base64 文本 (data is not base64 text)")
        return None
    count = math.prod(shape)
    width = np.dtype(_DTYPES[dtype]).itemsize
    if len(raw) != count * width:
        bad(f"数据长度 {len(raw)} 字节，应为 {count * width} (data holds {len(raw)} bytes, expected {count * width})")
        return None
    array = np.frombuffer(raw, dtype=_DTYPES[dtype]).astype(np.float64).reshape(shape)
    if dtype == "int8":
        rows = shape[0] if len(shape) > 1 else 1
        scale = value.get("scale")
        if not isinstance(scale, list) or len(scale) != rows or not all(_positive(s) for s in scale):
            bad(f"int8 数组需要 {rows} 个正的 scale 值 (an int8 array needs {rows} positive finite scale values)")
            return None
        factors = np.asarray(scale, dtype=np.float64)
        array = array * (factors[:, None] if len(shape) > 1 else factors[0])
    if not np.all(np.isfinite(array)):
        bad("数组含有非有限值 (the array holds NaN or infinity)")
        return None
    return array


def _positive(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value > 0


def write_document(document: dict[str, Any], path: str | Path) -> None:
    """Write a model document; gzip when the name ends in .gz. Same document, same bytes."""
    path = Path(path)
    payload = json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    if path.name.lower().endswith(".gz"):
        buffer = io.BytesIO()
        with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as stream:
            stream.write(payload)
        payload = buffer.getvalue()
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(payload)
    temporary.replace(path)


def read_document(path: str | Path) -> dict[str, Any]:
    """The JSON document of a model file (gzip or plain); InputError when it cannot be read."""
    path = Path(path)
    file = str(path)

    def fail(message: str, code: str) -> InputError:
        return InputError([Problem(message=message, file=file, code=code)], SUMMARY)

    if not path.is_file():
        raise fail("没有这个文件 (no such file)", "not-found")
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            inflater = zlib.decompressobj(wbits=31)
            raw = inflater.decompress(raw, MAX_BYTES + 1)
        except zlib.error as error:
            raise fail(f"gzip 数据损坏 (corrupt gzip data: {error})", "corrupt") from None
        if not inflater.eof and len(raw) <= MAX_BYTES:
            raise fail("gzip 数据不完整 (truncated gzip data)", "corrupt")
        if len(raw) > MAX_BYTES:
            raise fail(f"解压后超过 {MIB} MiB (more than {MIB} MiB once inflated)", "too-large")
    if len(raw) > MAX_BYTES:
        raise fail(f"文件超过 {MIB} MiB (the file is larger than {MIB} MiB)", "too-large")
    try:
        document = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise fail("不是 UTF-8 文本的 JSON 模型文件 (not a JSON model file: not UTF-8)", "not-json") from None
    except (ValueError, RecursionError) as error:
        where = f" at line {error.lineno}, column {error.colno}" if isinstance(error, json.JSONDecodeError) else ""
        raise fail(f"不是有效的 JSON (not valid JSON{where})", "not-json") from None
    if not isinstance(document, dict):
        raise fail("模型文件应为一个 JSON 对象 (a model file is one JSON object)", "not-a-model")
    return document


class ModelParts:
    """The checked content of a model document."""

    def __init__(self, labels: list[str], params: FeatureParams, vocabulary: list[str], idf: np.ndarray,
                 coef: np.ndarray, intercept: np.ndarray, temperature: float, review_threshold: float,
                 training: dict[str, Any], label_names: dict[str, str]) -> None:
        self.labels = labels
        self.params = params
        self.vocabulary = vocabulary
        self.idf = idf
        self.coef = coef
        self.intercept = intercept
        self.temperature = temperature
        self.review_threshold = review_threshold
        self.training = training
        self.label_names = label_names


def parse_document(document: dict[str, Any], file: str) -> ModelParts:
    """Check every field of a model document; one InputError lists every problem."""
    problems: list[Problem] = []

    def bad(field: str, message: str, code: str = "bad-field", value: Any = None) -> None:
        shown = None if value is None else str(value)[:80]
        problems.append(Problem(message=message, file=file, field=field, value=shown, code=code))

    if document.get("format") != FORMAT:
        bad("format", f"不是 powerlist 匹配模型 (not a powerlist matcher model: format must be {FORMAT!r})",
            "not-a-model", document.get("format"))
        raise InputError(problems, SUMMARY)
    version = document.get("version")
    if version != VERSION:
        bad("version", f"不支持的模型版本 (unsupported model version; this powerlist reads version {VERSION})",
            "unsupported-version", version)
        raise InputError(problems, SUMMARY)
    labels = document.get("labels")
    if not isinstance(labels, list) or not labels or not all(isinstance(x, str) and x.strip() for x in labels):
        bad("labels", "labels 应为非空字符串的非空列表 (labels must be a non-empty list of non-empty strings)")
        labels = None
    elif len(set(labels)) != len(labels):
        bad("labels", "labels 有重复 (labels repeat)", "duplicate-label")
        labels = None
    params: FeatureParams | None = None
    try:
        params = FeatureParams.model_validate(document.get("features"))
    except ValidationError as error:
        for item in error.errors(include_url=False):
            where = ".".join(str(p) for p in ("features", *item["loc"]))
            bad(where, f"特征参数无效 (invalid feature parameter: {item['msg']})")
    vocabulary = document.get("vocabulary")
    if not isinstance(vocabulary, list) or not all(isinstance(t, str) and t for t in vocabulary):
        bad("vocabulary", "vocabulary 应为非空字符串列表 (vocabulary must be a list of non-empty strings)")
        vocabulary = None
    elif len(set(vocabulary)) != len(vocabulary):
        bad("vocabulary", "vocabulary 有重复的词 (vocabulary repeats a term)", "duplicate-term")
        vocabulary = None
    calibration = document.get("calibration")
    temperature = calibration.get("temperature") if isinstance(calibration, dict) else None
    if (not isinstance(calibration, dict) or calibration.get("method") != "temperature"
            or not isinstance(temperature, (int, float)) or isinstance(temperature, bool)
            or not math.isfinite(temperature) or temperature <= 0):
        bad("calibration", "calibration 应为 {method: temperature, temperature: 正数} "
            "(calibration must be {method: temperature, temperature: a positive number})")
        temperature = None
    threshold = document.get("review_threshold")
    if (not isinstance(threshold, (int, float)) or isinstance(threshold, bool) or not math.isfinite(threshold)
            or not 0 <= threshold <= 1):
        bad("review_threshold", "review_threshold 应在 0 到 1 之间 (review_threshold must be between 0 and 1)",
            value=threshold)
        threshold = None
    training = document.get("training", {})
    if not isinstance(training, dict):
        bad("training", "training 应为对象 (training must be an object)")
        training = {}
    names = document.get("label_names", {})
    if not isinstance(names, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in names.items()):
        bad("label_names", "label_names 应为 标签→名称 (label_names must map labels to names)")
        names = {}
    idf = coef = intercept = None
    if labels is not None and vocabulary is not None:
        n, k = len(vocabulary), len(labels)
        idf = decode_array(document.get("idf"), "idf", (n,), problems, file)
        coef = decode_array(document.get("coef"), "coef", (k, n), problems, file)
        intercept = decode_array(document.get("intercept"), "intercept", (k,), problems, file)
    if problems:
        raise InputError(problems, SUMMARY)
    assert labels is not None and params is not None and vocabulary is not None and temperature is not None
    assert idf is not None and coef is not None and intercept is not None and threshold is not None
    return ModelParts(labels, params, vocabulary, idf, coef, intercept, float(temperature), float(threshold),
                      training, names)
