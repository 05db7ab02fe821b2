"""Rows of the shipped Huangshi catalogs, as Python data (built into catalogs/*.xlsx by
tools/build_catalogs.py). Every row carries its source; see catalogs/README.md."""
