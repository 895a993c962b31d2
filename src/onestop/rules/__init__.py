"""The eligibility language: typed criteria over firm facts, explained one firm at a time or
evaluated over many firms at once, with one meaning."""
