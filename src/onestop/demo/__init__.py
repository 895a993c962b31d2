"""Demo data for `make run`: accounts of every role, the scenario firms and a registry of a few
hundred realistic firms (seeded, reproducible)."""
