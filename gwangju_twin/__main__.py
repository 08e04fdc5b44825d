"""``python -m gwangju_twin`` runs the same command line as ``gwangju-twin``."""

from gwangju_twin.cli import main

raise SystemExit(main())
