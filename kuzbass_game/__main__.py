"""`python -m kuzbass_game` is the same as the `kuzbass` command."""

from kuzbass_game.cli import main

raise SystemExit(main())
