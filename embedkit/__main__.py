"""``python -m embedkit``."""

from __future__ import annotations

import sys

from embedkit.cli import main

if __name__ == "__main__":
    sys.exit(main())
