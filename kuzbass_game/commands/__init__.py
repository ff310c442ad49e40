"""One module per `kuzbass` verb, imported only when that verb runs (so start-up stays quick)."""
