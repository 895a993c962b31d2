"""Applying online (비대면), end to end: lifecycle, documents, consultations, agreements."""
