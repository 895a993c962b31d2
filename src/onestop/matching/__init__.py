"""Recommendations: eligible programs ranked by fit, near misses, and packages of linked programs."""
