"""python3 -m doctor DIR: explain what is broken in the state collected into DIR."""

from __future__ import annotations

import sys

from doctor.diagnose import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
