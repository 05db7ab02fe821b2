"""Two-way scoring (双向考评): exact arithmetic, profiles, whistle components, tallies and the
reports. Imports `cases`, `routing`, `catalog`, `sheets`, `errors`."""

from .core import *  # noqa: F403
from .core import __all__
