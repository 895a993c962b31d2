"""The program catalog: real programs of many agencies, eligibility kept as code."""
