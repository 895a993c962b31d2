"""Firm profiles: what a firm states once, validated against Korean rules."""
