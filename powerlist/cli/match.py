"""`powerlist match train | predict | evaluate`: the text → category matcher (自动匹配).

FILE is CSV, XLSX or JSONL; columns are named by their headers (JSONL: keys). Several
`--text-column`s are joined with a space. Without `--model`, predict and evaluate use the
shipped model; evaluate without `--model` trains and tests by stratified K-fold on FILE.
`"row"` in the output is the row's line (CSV, JSONL) or sheet row (XLSX), as in every
powerlist report. Exit codes: 0 fine, 1 invalid input, 2 usage error.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from ..errors import InputError, Problem
from ._common import dumps, out, print_json, table, user_errors
from ._help import Command, Group

match_app = typer.Typer(cls=Group, help="自动匹配 match：用本市已分类的历史诉求训练、预测问题分类、评估准确率 "
                        "(matcher: train on a city's classified history, predict categories, evaluate)",
                        no_args_is_help=True)

TextOpt = Annotated[list[str], typer.Option("--text-column", help="诉求文字所在的列，可重复给出以拼接多列 "
                                            "(column holding the text; repeat to join several)")]
LabelOpt = Annotated[str, typer.Option("--label-column", help="问题分类所在的列，编码或名称 "
                                       "(column holding the category: code or label)")]
ModelOpt = Annotated[Path | None, typer.Option("--model", help="模型文件，默认用随附模型 "
                                               "(model file; default: the shipped model)")]
JsonOpt = Annotated[bool, typer.Option("--json", help="输出 JSON，供程序读取 (machine-readable JSON output)")]
EncodingOpt = Annotated[str, typer.Option("--encoding", help="文本编码（CSV/JSONL），如 gb18030 "
                                          "(CSV/JSONL text encoding, e.g. gb18030)")]
ThresholdOpt = Annotated[float | None, typer.Option("--threshold", min=0.0, max=1.0,
                                                    help="复核阈值：置信度低于它的须人工复核 "
                                                    "(review threshold: confidence below it needs_review)")]


def register(app: typer.Typer) -> None:
    app.add_typer(match_app, name="match")


def _rows(file: Path, texts: list[str], label: str | None, encoding: str) -> tuple[list[int], list[str], list[str]]:
    from ..intake.table_io import read_table

    columns = texts + ([label] if label else [])
    rows = read_table(file, columns, encoding)
    numbers = [r.row for r in rows]
    joined = [" ".join(r.values[c] for c in texts if r.values[c]) for r in rows]
    labels = [r.values[label] for r in rows] if label else []
    return numbers, joined, labels


def _incomplete(file: Path, numbers: list[int], texts: list[str], labels: list[str], label: str) -> list[Problem]:
    problems = []
    for number, text, value in zip(numbers, texts, labels, strict=True):
        if not value:
            problems.append(Problem(message="标签为空 (empty label)", file=str(file), row=number, field=label,
                                    code="empty-label"))
        elif not text:
            problems.append(Problem(message="文本为空 (empty text)", file=str(file), row=number, code="empty-text"))
    return problems


def _matcher(model: Path | None, threshold: float | None) -> Any:
    from ..intake.matcher import Matcher

    matcher = Matcher.load(model) if model is not None else Matcher.default()
    return matcher.with_review_threshold(threshold) if threshold is not None else matcher


@match_app.command("train", cls=Command)
def train(
    file: Annotated[Path, typer.Argument(
        metavar="FILE", help="已分类的历史诉求：.csv、.xlsx 或 .jsonl (labelled history: .csv, .xlsx or .jsonl)")],
    text_column: TextOpt,
    label_column: LabelOpt,
    out_path: Annotated[Path, typer.Option("--out", help="写出的模型文件（.json 或 .json.gz） "
                                           "(model file to write)")],
    threshold: Annotated[float, typer.Option("--threshold", min=0.0, max=1.0,
                                             help="存入模型的复核阈值 (review threshold stored in the model)")] = 0.5,
    words: Annotated[bool, typer.Option("--words/--no-words", help="加入 jieba 分词特征 (add jieba word features)")]
    = False,
    skip_incomplete: Annotated[bool, typer.Option(
        "--skip-incomplete", help="跳过缺少文字或标签的行，而不是拒绝整个文件 "
        "(skip rows without text or label instead of refusing)")] = False,
    encoding: EncodingOpt = "utf-8",
    as_json: JsonOpt = False,
) -> None:
    """训练 train：用本市自己已分类的诉求（本市自己的标签）训练模型并写出 (train a model on a city's own
    classified issues, its own labels, and write it)."""
    from collections import Counter

    from ..intake.matcher import Matcher

    with user_errors(as_json):
        numbers, texts, labels = _rows(file, text_column, label_column, encoding)
        problems = _incomplete(file, numbers, texts, labels, label_column)
        if problems and not skip_incomplete:
            raise InputError(problems, "行缺少文本或标签 (rows without text or label; --skip-incomplete skips them)")
        keep = [i for i in range(len(texts)) if texts[i] and labels[i]]
        if not keep:
            raise InputError([Problem(message="没有可训练的行 (no row with both text and label)", file=str(file),
                                      code="empty")], "无法训练 (cannot train)")
        matcher = Matcher.train([texts[i] for i in keep], [labels[i] for i in keep], review_threshold=threshold,
                                words=words)
        matcher.save(out_path)
    counts = Counter(labels[i] for i in keep)
    summary = {"model": str(out_path), "rows": len(keep), "skipped": len(texts) - len(keep), "labels": len(counts),
               "label_counts": dict(sorted(counts.items())), "temperature": matcher.temperature,
               "review_threshold": matcher.review_threshold, "bytes": out_path.stat().st_size}
    if as_json:
        print_json(summary)
        return
    out.print(f"模型 model {out_path}：{summary['rows']} 行 rows，{summary['labels']} 个标签 labels，"
              f"{summary['bytes']:,} 字节 bytes（跳过 skipped {summary['skipped']}）", highlight=False, markup=False)


@match_app.command("predict", cls=Command)
def predict(
    file: Annotated[Path, typer.Argument(
        metavar="FILE", help="诉求文字：.csv、.xlsx 或 .jsonl (texts: .csv, .xlsx or .jsonl)")],
    text_column: TextOpt,
    model: ModelOpt = None,
    top: Annotated[int, typer.Option("--top", min=1, help="每行给出的候选分类数 (candidates per row)")] = 3,
    threshold: ThresholdOpt = None,
    encoding: EncodingOpt = "utf-8",
    as_json: JsonOpt = False,
) -> None:
    """预测 predict：每行文字的问题分类：最佳分类、置信度、前 k 个候选、是否须复核 (the category of each row's
    text: best, confidence, top-k candidates, needs_review).

    给 --json 时每行输出一个 JSON 对象（JSONL），按文件顺序 (with --json: one JSON object per row, in file
    order)."""
    with user_errors(as_json):
        matcher = _matcher(model, threshold)
        numbers, texts, _ = _rows(file, text_column, None, encoding)
        predictions = matcher.predict_many(texts, top)
    if as_json:
        for number, prediction in zip(numbers, predictions, strict=True):
            sys.stdout.write(dumps({"row": number, **prediction.as_json()}) + "\n")
        return
    names = matcher.label_names
    columns = ["行 row", "分类 category", "名称 name", "置信度 confidence", "复核 review", "其他候选 next"]
    out.print(table(f"匹配结果 predictions（{len(predictions)} 行）", columns,
                    [[n, p.category, names.get(p.category, ""), f"{p.confidence:.2f}", "复核" if p.needs_review else "",
                      " ".join(f"{c.category}:{c.confidence:.2f}" for c in p.candidates[1:])]
                     for n, p in zip(numbers, predictions, strict=True)]))


@match_app.command("evaluate", cls=Command)
def evaluate(
    file: Annotated[Path, typer.Argument(
        metavar="FILE", help="已分类的诉求：.csv、.xlsx 或 .jsonl (labelled texts: .csv, .xlsx or .jsonl)")],
    text_column: TextOpt,
    label_column: LabelOpt,
    model: ModelOpt = None,
    folds: Annotated[int, typer.Option("--folds", min=2, help="不给 --model 时 K 折交叉验证的 K "
                                       "(K for K-fold when no --model is given)")] = 5,
    top: Annotated[int, typer.Option("--top", min=1, help="前 k 准确率的 k (k of the top-k accuracy)")] = 3,
    report: Annotated[Path | None, typer.Option("--out", help="写出 Excel 评估报告（.xlsx） "
                                                "(Excel report to write)")] = None,
    encoding: EncodingOpt = "utf-8",
    as_json: JsonOpt = False,
) -> None:
    """评估 evaluate：准确率、macro-F1、各标签的精确率/召回率/样本数和混淆矩阵 (accuracy, macro-F1, per-label
    precision/recall/support and the confusion matrix).

    评估给定的模型，或（不给 --model 时）在 FILE 上分层 K 折交叉训练的模型 (of the given model, or without
    --model of models trained by stratified K-fold on FILE)."""
    from ..intake.evaluation import cross_validate, evaluate_model
    from ..intake.evaluation_report import write_report

    with user_errors(as_json):
        numbers, texts, labels = _rows(file, text_column, label_column, encoding)
        problems = [p for p in _incomplete(file, numbers, texts, labels, label_column) if p.code == "empty-label"]
        if problems:
            raise InputError(problems, "行缺少标签 (rows without a label)")
        names: dict[str, str] = {}
        if model is not None:
            matcher = _matcher(model, None)
            names = matcher.label_names
            result = evaluate_model(matcher, texts, labels, top)
        else:
            result = cross_validate(texts, labels, folds, top)
        if report is not None:
            write_report(report, result, names, source=str(file))
    if as_json:
        print_json(result.as_json())
        return
    out.print(f"{'模型 model ' + str(model) if model else f'{folds} 折交叉验证 K-fold'}：{result.rows} 行 rows，"
              f"准确率 accuracy {result.accuracy:.3f}，前 {result.top_k} 准确率 top-{result.top_k} "
              f"{result.top_k_accuracy:.3f}，macro-F1 {result.macro_f1:.3f}，"
              f"需复核 needs review {result.needs_review:.1%}",
              highlight=False, markup=False)
    worst = sorted((s for s in result.per_label if s.support), key=lambda s: (s.f1, s.label))[:10]
    out.print(table("最弱的类别 weakest labels", ["标签 label", "精确率 precision", "召回率 recall", "F1 f1",
                                                 "样本数 support"],
                    [[s.label, f"{s.precision:.2f}", f"{s.recall:.2f}", f"{s.f1:.2f}", s.support] for s in worst]))
    if report is not None:
        out.print(f"报告 report：{report}", highlight=False, markup=False)
