"""The domain model, the power-list and catalog loaders and the indexed `Catalog` (权责清单).
Imports `sheets` and `errors`."""
