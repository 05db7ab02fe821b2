"""Reading hand-made spreadsheets and CSV safely, and writing every output safely. Imports
nothing of powerlist but `errors`.

- `workbook`: `Workbook`, an .xlsx file opened safely, and its tables (header found, rows streamed);
- `package`: the .xlsx package below openpyxl: the checks before any XML is parsed (size, zip
  bombs, a renamed .xls or CSV) and the scan of a sheet's raw XML (merged ranges, formulas
  without a cached value);
- `headers`: the header vocabulary (`Vocabulary`, `normalise_header`) and finding the header row;
- `rows`: the data rows below a header (`SheetRow`): blank rows skipped, refused cells,
  merged-cell inheritance, footer rows (填表人：…) after the data skipped with a note;
- `text`: a cell's value as text, and text cleaned as loaded;
- `timetext`: the one time parser of every reader (ISO 8601, 2026/8/1 9:05, 2026.8.1,
  2026年8月1日 9时00分, 上午9:00 …);
- `cell_checks`: text cells refused as data (too long, an Excel error, formula injection);
- `cells`: yes/no cells in, and cells out that no spreadsheet program runs as formulas;
- `csvfiles`: CSV files read alike everywhere (encoding, byte-order mark, header, bad rows);
- `inbound`: the one Unicode policy for text entering powerlist (lone surrogates refused, lines
  split on line feeds only, ids and codes NFKC without invisible characters);
- `output`: every file powerlist writes, atomically (a temporary file beside the target, renamed
  when complete), never onto one of its inputs (device and inode), every OS failure located.
"""
