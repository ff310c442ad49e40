"""The `kuzbass` verbs, one module each: a new verb is one module here, and nothing else changes.

A verb's module names itself and says what it does (`VERB`, `HELP`, `DESCRIPTION`), declares its
options (`add_arguments(parser)`) and runs (`run(args) -> exit code`); `kuzbass_game.cli` finds
the modules, builds the parser from them and dispatches. Modules whose name starts with `_` are
what the verbs share. A verb's module imports only what declaring its options needs at the top;
what running needs (the app, Rich, the web server) it imports in `run`, so `kuzbass --help` and
a launch stay quick.
"""
