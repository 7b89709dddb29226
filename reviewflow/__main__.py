"""Allow ``python -m reviewflow``."""

from reviewflow.cli import main

raise SystemExit(main())
