"""`python -m chronicle`: the same program as `chronicle` and `python build.py`."""

import sys

from .cli import main

sys.exit(main())
