"""Jobs by age group: seekers, postings by firms, explained matching both ways (issue 12)."""
