"""The shared commons: pools, the append-only ledger, draws (issue 3)."""
