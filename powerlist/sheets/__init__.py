"""Reading hand-made spreadsheets and CSV safely: the workbook XML, cells, CSV and the header
vocabulary. Imports nothing of powerlist but `errors`."""
