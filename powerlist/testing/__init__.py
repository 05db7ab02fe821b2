"""Test helpers users can reuse: hypothesis strategies for issues and catalogs.

Needs the `test` extra (hypothesis). `powerlist.testing.strategies` has `issues(catalog=None)`
and `catalogs()`.
"""
