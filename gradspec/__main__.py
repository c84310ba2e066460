"""Allow ``python -m gradspec``."""

from gradspec.cli import main

raise SystemExit(main())
