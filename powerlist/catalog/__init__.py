"""The domain model, the power-list and catalog loaders and the indexed `Catalog` (权责清单).
Imports `sheets`, `errors`, `resources` (where the shipped catalogs are) and `_compat` (the
version, part of the disk cache's key).

- `models`: the frozen values (PowerItem, Street, Department, Category …, `CatalogData`);
- `catalog`: `Catalog`, one immutable, indexed value built from `CatalogData`;
- `names`: `NameIndex` (`Catalog.names`), streets, communities, categories, units and departments
  by code, name or documented alias, for every reader;
- `item_rows`: a power item's cells as power-list and delegation rows hold them (vocabulary,
  kinds, modes, codes);
- `power_list`: `load_power_list`, a power-list workbook as a `PowerList`;
- `delegation`: `read_delegation_workbook`, a delegation workbook as `DelegationRow`s;
- `files`: the catalogs directory's workbooks (statutes.xlsx optional), their sheets and headers;
- `catalog_tables`: reading a catalog workbook's sheets, the checks every table shares;
- `organisation`, `taxonomy`, `calendar_overrides`, `statutes_sheet`: the reader of each of those
  workbooks;
- `statutes`: `Statutes`, which version of a cited text is in force on a day (pure);
- `loader`: `load_catalogs` (a directory as a validated `Catalog`, cached in process) and
  `load_delegation_workbook` (against a loaded catalog);
- `cache`: loaded catalogs kept on disk as JSON for the next process;
- `template`: `write_template`, the empty workbooks for a new city.
"""
