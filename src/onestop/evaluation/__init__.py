"""Evaluation: financial statements, ratios, an explained credit model and its recommendation (issue 8)."""
