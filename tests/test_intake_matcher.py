"""The matcher: predictions on any text, deterministic training, the model file (data, validated)."""

from __future__ import annotations

import base64
import csv
import gzip
import json
import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from powerlist.errors import InputError
from powerlist.intake import Matcher, Prediction
from powerlist.intake.evaluation import cross_validate, evaluate_model

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "tools" / "intake_corpus" / "complaints.csv"


def corpus(split: str, categories: int | None = None, per: int | None = None) -> tuple[list[str], list[str]]:
    rows = [r for r in csv.DictReader(CORPUS.open(encoding="utf-8")) if r["数据集"] == split]
    codes = sorted({r["分类编码"] for r in rows})[:categories] if categories else None
    kept: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        if codes is None or r["分类编码"] in codes:
            kept.setdefault(r["分类编码"], []).append(r)
    chosen = [r for code in sorted(kept) for r in kept[code][:per]]
    return [r["诉求内容"] for r in chosen], [r["分类编码"] for r in chosen]


@pytest.fixture(scope="module")
def small() -> Matcher:
    texts, labels = corpus("train", categories=8, per=12)
    return Matcher.train(texts, labels)


@pytest.fixture(scope="module")
def default() -> Matcher:
    return Matcher.default()


# ---- any text ------------------------------------------------------------------------------

TEXTS = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), max_size=200),
    st.text(alphabet=st.sampled_from("井盖路灯😀🚧 \t\n\u3000ＡＢ１２abcالعربيةрусский한국어"), max_size=300),
    st.builds(lambda s, n: s * n, st.text(min_size=1, max_size=5), st.integers(1, 20_000)),
)


@settings(max_examples=120)
@given(TEXTS)
def test_predict_never_raises_and_gives_a_label(small: Matcher, text: str) -> None:
    p = small.predict(text, top=3)
    assert isinstance(p, Prediction)
    assert p.category in small.labels
    assert 0.0 <= p.confidence <= 1.0
    assert p.candidates[0].category == p.category and len(p.candidates) == 3
    assert [c.confidence for c in p.candidates] == sorted((c.confidence for c in p.candidates), reverse=True)
    assert p.needs_review == (p.confidence < small.review_threshold) or p.needs_review


@pytest.mark.parametrize("text", ["", " ", "😀" * 1000, "a" * 100_000, "井盖" * 50_000, "\x00\x01\x7f",
                                  "\ud800 lone surrogate 井盖", "مرحبا Привет 你好 こんにちは"])
def test_edge_texts_on_the_shipped_model(default: Matcher, text: str) -> None:
    p = default.predict(text)
    assert p.category in default.labels and 0 <= p.confidence <= 1


def test_no_known_feature_needs_review(small: Matcher) -> None:
    for text in ("", "😀😀", "   "):
        p = small.predict(text)
        assert p.needs_review
        assert p.confidence == pytest.approx(1 / len(small.labels))


def test_predict_many_is_predict_in_order(small: Matcher) -> None:
    texts, _ = corpus("test", categories=8, per=3)
    many = small.predict_many(texts)
    assert many == [small.predict(t) for t in texts]
    assert small.predict_many([]) == []


def test_top_is_clamped(small: Matcher) -> None:
    assert len(small.predict("井盖丢了", top=0).candidates) == 1
    assert len(small.predict("井盖丢了", top=999).candidates) == len(small.labels)


def test_threshold_sets_needs_review(small: Matcher) -> None:
    text = "井盖丢了"
    assert small.predict(text, threshold=1.0).needs_review
    assert not small.predict(text, threshold=0.0).needs_review
    strict = small.with_review_threshold(1.0)
    assert strict.predict(text).needs_review and strict.review_threshold == 1.0
    with pytest.raises(InputError):
        small.with_review_threshold(1.5)


# ---- the shipped model ---------------------------------------------------------------------


def test_shipped_model_covers_the_taxonomy(default: Matcher, catalog: Any) -> None:
    leaves = {c.code for c in catalog.categories.values() if c.parent is not None}
    assert set(default.labels) == leaves
    assert all(default.label_names[code] == catalog.categories[code].name for code in default.labels)


@pytest.mark.parametrize(("text", "code"), [
    ("我家楼下的井盖被人偷了，晚上很危险", "BJ0101"),
    ("老板拖欠我们三个月工资不发", "RX0101"),
    ("楼下饭店油烟直排，熏得家里全是味", "SJ0104"),
    ("长江边有人晚上电鱼", "ZD0106"),
])
def test_shipped_model_on_plain_complaints(default: Matcher, text: str, code: str) -> None:
    assert code in [c.category for c in default.predict(text).candidates]


# ---- training ------------------------------------------------------------------------------

DATASETS = st.lists(
    st.tuples(st.text(alphabet=st.sampled_from("井盖路灯垃圾噪音油烟工资欠薪坏了丢了 0123"), max_size=20),
              st.sampled_from(["甲", "乙", "丙"])),
    min_size=1, max_size=25,
)


@settings(max_examples=15)
@given(DATASETS)
def test_training_is_deterministic(data: list[tuple[str, str]]) -> None:
    texts, labels = [t for t, _ in data], [label for _, label in data]
    first, second = Matcher.train(texts, labels), Matcher.train(texts, labels)
    assert first.document() == second.document()
    probe = texts + ["井盖", ""]
    assert first.predict_many(probe) == second.predict_many(probe)


@settings(max_examples=15)
@given(DATASETS, st.lists(TEXTS, min_size=1, max_size=5), st.sampled_from(["m.json", "m.json.gz"]))
def test_saved_and_loaded_predicts_identically(tmp_path_factory: pytest.TempPathFactory,
                                               data: list[tuple[str, str]], probes: list[str], name: str) -> None:
    model = Matcher.train([t for t, _ in data], [label for _, label in data])
    path = tmp_path_factory.mktemp("model") / name
    model.save(path)
    loaded = Matcher.load(path)
    assert loaded.predict_many(probes, top=5) == model.predict_many(probes, top=5)
    copy = path.with_name("again-" + name)
    loaded.save(copy)
    assert copy.read_bytes() == path.read_bytes()


def test_a_city_trains_on_its_own_labels(tmp_path: Path) -> None:
    texts = ["小区电梯又坏了", "电梯困人了", "电梯不运行", "楼道灯不亮", "楼道灯坏了", "楼道里黑漆漆"] * 3
    labels = ["电梯故障", "电梯故障", "电梯故障", "楼道照明", "楼道照明", "楼道照明"] * 3
    model = Matcher.train(texts, labels, review_threshold=0.4, label_names={"电梯故障": "电梯"})
    assert model.labels == ("楼道照明", "电梯故障")
    assert model.predict("电梯坏了困住人").category == "电梯故障"
    assert model.review_threshold == 0.4 and model.label_names == {"电梯故障": "电梯"}
    single = Matcher.train(["随便什么", "另一条"], ["唯一", "唯一"])
    assert single.predict("任何文字").category == "唯一"


def test_keyword_rules_train_beside_the_texts() -> None:
    texts = ["路灯不亮", "路灯坏了", "井盖丢了", "井盖坏了"]
    labels = ["灯", "灯", "盖", "盖"]
    plain = Matcher.train(texts, labels)
    ruled = Matcher.train(texts, labels, keywords={"灯": ["照明"], "盖": ["窨井"]})
    assert ruled.predict("窨井").category == "盖" and ruled.predict("照明").category == "灯"
    assert ruled.training["keyword_rows"] == 2 and plain.training["keyword_rows"] == 0
    with pytest.raises(InputError) as error:
        Matcher.train(texts, labels, keywords={"没有的": ["x"]})
    assert error.value.problems[0].code == "unknown-label"


@pytest.mark.parametrize(("texts", "labels", "code"), [
    ([], [], "empty"),
    (["a", "b"], ["x"], "length-mismatch"),
    (["a", "b"], ["x", " "], "empty-label"),
])
def test_unusable_training_data_is_a_located_error(texts: list[str], labels: list[str], code: str) -> None:
    with pytest.raises(InputError) as error:
        Matcher.train(texts, labels)
    assert code in {p.code for p in error.value.problems}


def test_unknown_option_is_refused() -> None:
    with pytest.raises(InputError) as error:
        Matcher.train(["a", "b"], ["x", "y"], colour="blue")
    assert error.value.problems[0].field == "colour"


# ---- the model file ------------------------------------------------------------------------


@pytest.fixture
def saved(small: Matcher, tmp_path: Path) -> Path:
    path = tmp_path / "model.json"
    small.save(path)
    return path


def _rewrite(path: Path, change: Any) -> Path:
    document = json.loads(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def _problems(path: Path) -> list[Any]:
    with pytest.raises(InputError) as error:
        Matcher.load(path)
    return error.value.problems


def test_pickle_is_not_a_model(tmp_path: Path) -> None:
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps({"format": "powerlist-matcher"}))
    problems = _problems(path)
    assert problems[0].code == "not-json" and problems[0].file == str(path)


def test_corrupt_gzip_and_missing_file(tmp_path: Path) -> None:
    broken = tmp_path / "m.json.gz"
    broken.write_bytes(gzip.compress(b'{"format": 1}')[:15])
    assert _problems(broken)[0].code == "corrupt"
    assert _problems(tmp_path / "none.json")[0].code == "not-found"


def test_other_format_and_version(saved: Path) -> None:
    assert _problems(_rewrite(saved, lambda d: d.update(format="other")))[0].code == "not-a-model"
    assert _problems(_rewrite(saved, lambda d: d.update(format="powerlist-matcher", version=99)))[0].field == "version"


def test_every_bad_field_is_reported_at_once(saved: Path) -> None:
    def spoil(d: dict[str, Any]) -> None:
        d["review_threshold"] = 3
        d["calibration"] = {"method": "temperature", "temperature": -1}
        d["features"]["char_min"] = 0
        d["coef"]["shape"] = [1, 1]

    problems = _problems(_rewrite(saved, spoil))
    fields = {p.field for p in problems}
    assert {"review_threshold", "calibration", "coef"} <= fields
    assert any(f and f.startswith("features") for f in fields)
    assert all("(" in p.message for p in problems)  # Chinese, then the English in brackets


def test_non_finite_weights_are_refused(saved: Path) -> None:
    def poison(d: dict[str, Any]) -> None:
        raw = bytearray(base64.b64decode(d["intercept"]["data"]))
        raw[0:4] = np.array([np.nan], dtype="<f4").tobytes()
        d["intercept"]["data"] = base64.b64encode(bytes(raw)).decode()

    problems = _problems(_rewrite(saved, poison))
    assert problems[0].field == "intercept" and problems[0].code == "bad-array"


def test_default_model_file_is_gzip_json_without_code() -> None:
    from powerlist.intake.matcher import default_model_path

    raw = gzip.decompress(default_model_path().read_bytes())
    document = json.loads(raw)
    assert document["format"] == "powerlist-matcher" and document["version"] == 1
    assert "timestamp" not in raw.decode() and default_model_path().stat().st_size < 5_000_000


# ---- evaluation ----------------------------------------------------------------------------


def test_evaluation_measures(small: Matcher) -> None:
    texts, labels = corpus("test", categories=8, per=6)
    result = evaluate_model(small, texts, labels)
    assert result.rows == len(texts) and 0.5 < result.accuracy <= result.top_k_accuracy <= 1
    assert sum(map(sum, result.confusion)) == len(texts)
    assert sum(s.support for s in result.per_label) == len(texts)
    folds = cross_validate(texts, labels, folds=3)
    assert folds.mode == "k-fold" and folds.rows == len(texts)
    as_json = folds.as_json()
    assert set(as_json) >= {"accuracy", "macro_f1", "per_label", "confusion_matrix"}
