"""Cases over time: the lifecycle, the `CaseStore` and its SQLite store, the `Escalator`.
Imports `routing`, `catalog`, `errors`."""
