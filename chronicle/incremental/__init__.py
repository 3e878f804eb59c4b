"""The engine: the reference pipeline's bytes, faster (chronicle/pipeline.py is the plain path).

The one seam: the command line and `serve` use `build` and `Engine` from here;
nothing outside this package imports its modules.
"""

from ..config import CACHE_DIR
from .engine import PARALLEL_EVENTS, Cancelled, Engine, build, entry_path
from .store import Cache
from .workers import Forked

__all__ = ["CACHE_DIR", "PARALLEL_EVENTS", "Cache", "Cancelled", "Engine", "Forked", "build", "entry_path"]
