"""From an `Issue` to a `Decision`: input normalisation, rule tables, the two engines, the
`Router`, the working-day calendar and the rules check. Imports `catalog`, `sheets`, `errors`."""
