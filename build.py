"""Build the timeline: `python build.py [build|serve|new|check] …` (same as `chronicle`)."""
import sys

from chronicle.cli import main

if __name__ == "__main__":
    sys.exit(main())
