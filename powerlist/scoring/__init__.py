"""Two-way scoring (双向考评): streets score departments, departments score streets.

一哨一考核 (every whistle scored): for each whistle a department answered, three components,
each 0–100, and for each street and period three more; weights from named profiles in
`rules/scoring.toml` (default: the report's); an annual assessment folding the whistle score into
the unit's other assessment with the report's floors; and the one-vote veto (一票否决).

Modules, from the bottom up (each imports only those above it):
- `arithmetic`: exact numbers, the one rounding rule (`publish`), `ScoringError`.
- `period`: the scoring period (`Period`: month, quarter, year).
- `record`: the whistle record (`WhistleRecord`), the facts a whistle is scored on.
- `profiles`: weight profiles (`Profile`); `config`: the rules file (`load_config`, `ComponentParams`).
- `formulas`: the report's formulas (`department_score`, `street_score`, `annual_score`).
- `components`: what each of the six components measures (`score_whistle`, `calls_component` …).
- `veto`: the one-vote veto (`Veto`, `VetoItem`).
- `tally`: mergeable period tallies (`tally`, `Tallies`).
- `results`: the period's rankings, 晒单 (`results`, `score_period`, `PeriodScores`).
- `annual`: the annual assessment (`annual_result`, `annual_results`).
- At the edges: `rows` (input files as located rows), `readers` (whistle sheets, vetoes, other
  scores), `case_store` (whistles from the case store), `catalog_context` (staff and names from
  the catalog), `report` (the 晒单 workbook).

Imports `cases`, `routing`, `catalog`, `sheets`, `errors` and `resources`.
"""

from ..cases.lifecycle import Satisfaction
from .annual import AnnualResult, annual_result, annual_results
from .arithmetic import ScoringError, publish
from .case_store import read_store, records_from_store, whistle_from_case
from .catalog_context import catalog_context, with_catalog
from .components import WhistleScore, calls_component, mechanism_component, quality_component, score_whistle
from .config import ComponentParams, ScoringConfig, load_config
from .formulas import DEPARTMENT_FLOOR, STREET_FLOOR, annual_score, department_score, street_score
from .period import Period
from .profiles import Profile
from .readers import read_other_scores, read_vetoes, read_whistles
from .record import WhistleRecord
from .report import annual_rows, write_report
from .results import DepartmentResult, PeriodScores, StreetResult, results, score_period
from .tally import DepartmentTally, StreetTally, Sum, Tallies, tally
from .veto import Veto, VetoItem

__all__ = [
    "AnnualResult",
    "ComponentParams",
    "DEPARTMENT_FLOOR",
    "DepartmentResult",
    "DepartmentTally",
    "Period",
    "PeriodScores",
    "Profile",
    "STREET_FLOOR",
    "Satisfaction",
    "ScoringConfig",
    "ScoringError",
    "StreetResult",
    "StreetTally",
    "Sum",
    "Tallies",
    "Veto",
    "VetoItem",
    "WhistleRecord",
    "WhistleScore",
    "annual_result",
    "annual_results",
    "annual_rows",
    "annual_score",
    "calls_component",
    "catalog_context",
    "department_score",
    "load_config",
    "mechanism_component",
    "publish",
    "quality_component",
    "read_other_scores",
    "read_store",
    "read_vetoes",
    "read_whistles",
    "records_from_store",
    "results",
    "score_period",
    "score_whistle",
    "street_score",
    "tally",
    "whistle_from_case",
    "with_catalog",
    "write_report",
]
