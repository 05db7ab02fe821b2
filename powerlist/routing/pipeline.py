"""The routing pipeline — 派单: (issue, catalog, rules, calendar, table evaluator) → Decision.

`decide` is one pure function in three stages, each pure:

1. `place.locate` — what depends only on (category, location): the category and its scope, the
   street, the community, and for each principal and related power the unit holding it for that street
   and how, from the catalog; and the enumerable `Profile` of all this that the rules may read;
2. `sketch.sketch` — the rules tables, in order, deciding in *roles* from the profile and the
   issue's flags;
3. `plan.finish` — the roles made the place's units, and the clock: time limits from
   received_at on the working-day calendar.

Both engines run these same stages; they differ only in how a table is evaluated
(`powerlist.routing.engines`). `Pipeline` is the pipeline of one router, memoising each stage by
its inputs, which is sound because each is pure: stage 1 by (category, location) for both
engines; for the compiled engine also stage 2 by (profile, flags), a small enumerable key, and
the decision itself as a `Plan` — every field but the issue's id and its two deadlines — by
(category, location, flags).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..catalog.catalog import Catalog
from ..catalog.models import Category, Street
from ..errors import InputError
from .calendar import WorkCalendar
from .decision import Decision
from .decision_json import text as json_text
from .engines import TableEvaluator
from .issue import Issue
from .place import Located, Powers, locate, powers_at
from .plan import Plan, finish
from .plan_text import BytesPlan, JsonPlan, Stamped, StampedBytes, bytes_plan, json_plan, stamped, stamped_bytes
from .sketch import ROUTING, Sketch, flags_of, sketch
from .tables import RuleSet


def decide(issue: Issue, catalog: Catalog, rules: RuleSet, calendar: WorkCalendar, evaluate: TableEvaluator,
           rules_version: str) -> Decision:
    """The routing pipeline, one pure function. Raises InputError / CalendarError."""
    located = locate(catalog, issue.category, issue.location)
    drawn = sketch(located.profile, flags_of(issue, rules), rules, evaluate)
    return finish(issue, located, drawn, calendar, rules_version)


class Pipeline:
    """`decide` bound to one catalog, rules, calendar and evaluator, with its stages memoised.

    `decide(issue)` raises what `decide` raises. With `keep_plans` (the compiled engine) every
    stage is memoised and a decision is a kept plan stamped for the issue; without (the durable
    engine) only stage 1 is shared, and every rules table is still evaluated for every issue."""

    LOCATED_LIMIT = 200_000
    # A plan and its key weigh ~0.6 KB: at most ~60 MB of plans (100,000 generated issues over
    # the shipped catalogs hold ~77,000 distinct (place, flags) keys).
    PLAN_LIMIT = 100_000

    def __init__(self, catalog: Catalog, rules: RuleSet, calendar: WorkCalendar, evaluate: TableEvaluator,
                 rules_version: str, *, keep_plans: bool) -> None:
        self.catalog = catalog
        self.rules = rules
        self.calendar = calendar
        self.evaluate = evaluate
        self.rules_version = rules_version
        self.threshold = int(rules.param(ROUTING, "repeat_threshold"))
        self.located: dict[tuple[str, str], Located | InputError] = {}
        self.powers: dict[tuple[str, str], Powers] = {}
        self.sketches: dict[tuple[Any, ...], Sketch | InputError] = {}
        self.plans: dict[tuple[Any, ...], Plan | InputError] = {}
        self.texts: dict[tuple[Any, ...], JsonPlan | InputError] = {}  # the same plans, as their JSON text needs them
        self.encoded: dict[tuple[Any, ...], BytesPlan | InputError] = {}  # and with that text as UTF-8
        self.version_text = json_text(rules_version)
        self.decide: Callable[[Issue], Decision] = self._stamped if keep_plans else self._per_issue
        self.keep_plans = keep_plans

    def _per_issue(self, issue: Issue) -> Decision:
        located = self._locate(issue.category, issue.location)
        if isinstance(located, InputError):
            raise InputError(located.problems, located.summary)
        drawn = sketch(located.profile, flags_of(issue, self.rules), self.rules, self.evaluate)
        return finish(issue, located, drawn, self.calendar, self.rules_version)

    def _stamped(self, issue: Issue) -> Decision:
        plan = self._kept(issue)
        if isinstance(plan, InputError):
            raise InputError(plan.problems, plan.summary)
        return plan.stamp(issue, self.calendar)

    def decide_json(self, issue: Issue) -> str | None:
        """`decision_json(self.decide(issue))` for an issue the plans route (compiled engine),
        without making the Decision; None when the issue is not routed (the caller's long way
        makes its rejection). Raises CalendarError as `decide` does."""
        found = self.decide_stamped(issue)
        return found[0] if found is not None else None

    def decide_stamped(self, issue: Issue) -> Stamped | None:
        """`decide_json`, with the deadlines and whether one is provisional (`plan_text.stamped`),
        from the plans kept as their text needs them (`plan_text.json_plan`)."""
        key = self._key(issue)
        plan = self.texts.get(key)
        if plan is None:
            plan = self._json_plan(issue)
            if len(self.texts) >= self.PLAN_LIMIT:
                self.texts.clear()
            self.texts[key] = plan
        if isinstance(plan, InputError):
            return None
        citer = self.powers[plan[5]].citer
        assert citer is not None  # powers_at makes one
        return stamped(plan, issue, self.calendar, citer)

    def decide_bytes(self, issue: Issue) -> StampedBytes | None:
        """`decide_stamped` with the text as UTF-8 (what `powerlist route` writes), from plans
        kept with their text's parts encoded."""
        key = self._key(issue)
        plan = self.encoded.get(key)
        if plan is None:
            found = self._json_plan(issue)
            plan = found if isinstance(found, InputError) else bytes_plan(found)
            if len(self.encoded) >= self.PLAN_LIMIT:
                self.encoded.clear()
            self.encoded[key] = plan
        if isinstance(plan, InputError):
            return None
        citer = self.powers[plan[5]].citer
        assert citer is not None  # powers_at makes one
        return stamped_bytes(plan, issue, self.calendar, citer)

    def _json_plan(self, issue: Issue) -> JsonPlan | InputError:
        stages = self._stages(issue)
        return stages if isinstance(stages, InputError) else json_plan(*stages, self.version_text)

    def _kept(self, issue: Issue) -> Plan | InputError:
        key = self._key(issue)
        plan = self.plans.get(key)
        if plan is None:
            plan = self._plan(issue)
            if len(self.plans) >= self.PLAN_LIMIT:
                self.plans.clear()
            self.plans[key] = plan
        return plan

    def _key(self, issue: Issue) -> tuple[Any, ...]:
        # Everything a plan depends on, read from the issue's __dict__ (a pydantic model's
        # attributes pass through its __getattr__ hook). Request kinds are enum singletons (or
        # None): their id is a key as exact as the member and cheaper to hash (Enum.__hash__ is
        # Python code).
        d = issue.__dict__
        return (d["category"], d["location"], d["emergency"], d["key_work"], d["needs_enforcement"],
                d["cross_department"], d["repeat_count"] >= self.threshold, id(d["request_kind"]))

    def _locate(self, category: str, location: str) -> Located | InputError:
        """Stage 1, memoised by (category, location)."""
        where = (category, location)
        located = self.located.get(where)
        if located is None:
            try:
                located = locate(self.catalog, *where, powers=self._powers_at)
            except InputError as error:
                located = error
            if len(self.located) >= self.LOCATED_LIMIT:
                self.located.clear()
            self.located[where] = located
        return located

    def _plan(self, issue: Issue) -> Plan | InputError:
        """Stages 1 and 2 (each memoised) and the plan they give."""
        stages = self._stages(issue)
        return stages if isinstance(stages, InputError) else Plan(*stages, self.rules_version)

    def _stages(self, issue: Issue) -> tuple[Located, Sketch] | InputError:
        """Stages 1 and 2, each memoised."""
        d = issue.__dict__
        located = self._locate(d["category"], d["location"])
        if isinstance(located, InputError):
            return located
        key = (located.profile, d["emergency"], d["key_work"], d["needs_enforcement"], d["cross_department"],
               d["repeat_count"] >= self.threshold, id(d["request_kind"]))
        drawn = self.sketches.get(key)
        if drawn is None:
            try:
                drawn = sketch(located.profile, flags_of(issue, self.rules), self.rules, self.evaluate)
            except InputError as error:
                drawn = error
            self.sketches[key] = drawn  # bounded: every part of the key is enumerable
        if isinstance(drawn, InputError):
            return drawn
        return located, drawn

    def _powers_at(self, catalog: Catalog, category: Category, street: Street) -> Powers:
        # Per (category, street): the powers, holders and modes, whatever the issue's flags.
        key = (category.code, street.code)
        found = self.powers.get(key)
        if found is None:
            found = self.powers[key] = powers_at(catalog, category, street)
        return found
