"""`powerlist rules check`: routing tables complete and unambiguous over the catalog's domains."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from test_audit_report import register_commands
from typer.testing import CliRunner

from powerlist.audit.rules_check import check_rules
from powerlist.catalog.catalog import Catalog
from powerlist.cli import app
from powerlist.errors import InputError
from powerlist.resources import rules_dir
from powerlist.routing.issue import Issue
from powerlist.routing.router import Router
from powerlist.routing.tables import RuleSet

runner = CliRunner()


@pytest.fixture(autouse=True)
def _commands() -> None:
    register_commands()


def planted(tmp_path: Path, edit) -> Path:
    """A copy of the shipped rules with routing.toml edited by `edit(text) -> text`."""
    target = tmp_path / "rules"
    shutil.copytree(rules_dir(), target)
    path = target / "routing.toml"
    text = path.read_text(encoding="utf-8")
    changed = edit(text)
    assert changed != text
    path.write_text(changed, encoding="utf-8")
    return target


def drop_row(row_id: str):
    return lambda text: re.sub(rf'^\s*\{{ id = "{re.escape(row_id)}",.*\n', "", text, flags=re.M)


def widen_floor(text: str) -> str:
    # The 'other' row of the unique table emergency_floor now also matches emergency whistles.
    return re.sub(r'(id = "other", when = \{ whistle = \[)"daily"', r'\1"emergency", "daily"', text)


def by_code(report, code):
    return [f for f in report.findings if f.code == code]


def counter_example(finding) -> Issue:
    return Issue.model_validate(dict(finding.details)["counter_example"])


def add_masked_and_unreachable(text: str) -> str:
    # whistle.shadow (first): ordinary + key work, always preceded by key-work-flag → masked;
    # lead.nowhere: a mode no catalog item has → unreachable.
    text = re.sub(r'^(\s*\{ id = "key-work-flag",.*)$',
                  lambda m: m.group(1) + '\n  { id = "shadow", when = { scope = "ordinary", '
                  'key_work = true }, then = { whistle = "daily" }, why = "masked" },',
                  text, count=1, flags=re.M)
    return text.replace(
        '  { id = "community", when = { mode = "none", has_community = true }',
        '  { id = "nowhere", when = { mode = "no-such-mode" }, then = { lead = "street_office",'
        ' grade = "B", street_coordinates = false }, why = "unreachable" },\n'
        '  { id = "community", when = { mode = "none", has_community = true }')


def test_shipped_rules_pass_through_the_cli() -> None:
    """How CI runs the check: the shipped rules over the shipped catalog, no finding."""
    result = runner.invoke(app, ["rules", "check", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["ok"] is True and payload["findings"] == []
    stats = payload["stats"]
    assert stats["domain_issues"] == stats["categories"] * stats["locations"] * 16 * 6 * 3
    assert set(stats["tables"]) == {"whistle", "lead", "emergency_floor", "repeat",
                                    "escalation", "deadline"}
    assert all(t["fact_tuples"] > 0 for t in stats["tables"].values())


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped rules with a gap (whistle: no row for an ordinary issue without flags), an
    overlap (emergency_floor, unique: 'other' also matches emergency whistles), a masked row
    and an unreachable row."""
    return planted(tmp_path_factory.mktemp("planted"), lambda text: add_masked_and_unreachable(
        widen_floor(drop_row("ordinary")(text))))


@pytest.fixture(scope="module")
def faulty_report(faulty: Path, catalog: Catalog):
    rules = RuleSet.load(faulty)
    return rules, check_rules(catalog, rules)


def test_planted_gap_has_a_correct_counter_example(catalog: Catalog, faulty_report) -> None:
    rules, report = faulty_report
    gaps = by_code(report, "PL1001")
    assert gaps and {dict(g.details)["table"] for g in gaps} == {"whistle"}
    for gap in gaps:
        issue = counter_example(gap)
        assert catalog.categories[issue.category].scope.value == "ordinary"
        assert not (issue.emergency or issue.key_work or issue.needs_enforcement
                    or issue.cross_department)
        with pytest.raises(InputError) as caught:
            Router(catalog, rules).route(issue)
        assert caught.value.problems[0].code == "rules-gap"
        Router(catalog, RuleSet.load()).route(issue)  # the shipped rules route it
    assert gaps[0].severity.value == "error" and gaps[0].file.endswith("routing.toml")


def test_planted_overlap_has_a_correct_counter_example(catalog: Catalog, faulty_report) -> None:
    rules, report = faulty_report
    overlaps = by_code(report, "PL1002")
    assert overlaps
    for overlap in overlaps:
        details = dict(overlap.details)
        assert details["table"] == "emergency_floor"
        assert details["rows"] == ["emergency_floor.emergency", "emergency_floor.other"]
        assert details["facts"] == {"whistle": "emergency"}
        issue = counter_example(overlap)
        with pytest.raises(InputError) as caught:
            Router(catalog, rules).route(issue)
        assert caught.value.problems[0].code == "overlap"


def test_planted_masked_and_unreachable_rows(catalog: Catalog, faulty_report) -> None:
    rules, report = faulty_report
    assert [dict(f.details)["row"] for f in by_code(report, "PL1003")] == ["whistle.shadow"]
    masked = by_code(report, "PL1003")[0]
    issue = counter_example(masked)
    assert issue.key_work and catalog.categories[issue.category].scope.value == "ordinary"
    assert masked.severity.value == "warning"
    # With no daily whistle left (the gap), the daily rows of the deadline table are
    # unreachable too.
    daily_only = {row.id for row in rules.table("deadline").rows
                  if "whistle" in row.when and row.when["whistle"].values == ("daily",)}
    assert daily_only
    assert {dict(f.details)["row"] for f in by_code(report, "PL1004")} == {
        "lead.nowhere", *daily_only}
    assert {f.code for f in report.findings} == {"PL1001", "PL1002", "PL1003", "PL1004"}


def test_cli_on_planted_rules(faulty: Path) -> None:
    result = runner.invoke(app, ["rules", "check", "--rules", str(faulty)])
    assert result.exit_code == 1, result.output
    for code in ("PL1001", "PL1002", "PL1003", "PL1004"):
        assert code in result.output
    assert "counter-example" in result.output and "未通过 failed" in result.output


def test_escalation_tables_with_a_planted_gap_and_a_masked_row(tmp_path: Path, catalog: Catalog) -> None:
    """An escalation table with no row for a due case's facts leaves the case due and untouched
    at every tick: the check finds it, with the facts of such a case as counter-example."""
    target = tmp_path / "rules"
    shutil.copytree(rules_dir(), target)
    path = target / "escalation.toml"
    text = path.read_text(encoding="utf-8")
    edited = drop_row("urge")(text)  # no urge under supervision, in both deadline tables
    edited = re.sub(r'^(\s*\{ id = "hard",.*)$', lambda m: m.group(1) + '\n  { id = "hard_again", when = '
                    '{ trigger = "hard" }, then = { action = "note", finding = "", label = "", target = "self" },'
                    ' why = "masked" },', edited, count=1, flags=re.M)
    assert edited != text
    path.write_text(edited, encoding="utf-8")
    report = check_rules(catalog, RuleSet.load(target))
    gaps = by_code(report, "PL1001")
    assert {dict(f.details)["table"] for f in gaps} == {"esc_response_due", "esc_completion_due"}
    for gap in gaps:
        facts = dict(gap.details)["facts"]
        assert facts["supervised"] is True and facts["has_higher"] is False
        assert gap.file and gap.file.endswith("escalation.toml")
    (masked,) = by_code(report, "PL1003")
    details = dict(masked.details)
    assert details["row"] == "esc_review.hard_again" and details["selected"] == "esc_review.hard"
    assert report.stats["not_analysed"] == []


def test_shipped_escalation_tables_are_complete(catalog: Catalog) -> None:
    report = check_rules(catalog, RuleSet.load())
    assert set(report.stats["escalation_tables"]) == {"esc_response_due", "esc_response_late",
                                                      "esc_completion_due", "esc_review",
                                                      "esc_accountability"}
    assert not [f for f in report.findings if dict(f.details).get("table", "").startswith("esc_")]


def test_a_leaf_with_related_powers_but_no_principal_one_is_reported(catalog: Catalog) -> None:
    # issue 11: the lead is chosen among principal powers only, so a leaf listing only related
    # powers has nothing to decide its lead from
    lamp = catalog.categories["BJ0102"]
    broken = lamp.model_copy(update={"powers": (), "related": (*lamp.powers, *lamp.related)})
    data = catalog.data.model_copy(update={
        "categories": tuple(broken if c.code == "BJ0102" else c for c in catalog.data.categories)})
    report = check_rules(Catalog(data, city_code=catalog.city_code), RuleSet.load())
    (finding,) = [f for f in report.findings if f.code == "PL1006"]
    assert finding.item == "BJ0102" and finding.file == "taxonomy.xlsx" and finding.row == lamp.origin.row
    assert not [f for f in check_rules(catalog, RuleSet.load()).findings if f.code == "PL1006"]
