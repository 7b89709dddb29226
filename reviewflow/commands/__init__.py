"""One module per ``reviewflow`` subcommand (see :mod:`reviewflow.cli`)."""
