"""The labelled complaint corpus behind the shipped matcher model (illustrative, 示意).

`banks_*.py` hold, per leaf category of the shipped taxonomy, how residents describe that
problem in their own words (core phrases), details they add and what they ask for; `common.py`
holds what every complaint shares (openers, places, times, closers, typos). `generate.py` draws
complaints from them with a fixed seed. The last `TEST_CORES` core phrases of each category
are used only for the held-out test split, so the test measures phrasings the model never saw.
"""
