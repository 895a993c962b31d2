"""The audit trail: append-only and hash-chained, so nobody can rewrite what happened unseen."""
