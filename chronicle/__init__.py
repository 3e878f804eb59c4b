"""Chronicle: a static-site generator for sourced event timelines."""

__version__ = "0.1.0"
