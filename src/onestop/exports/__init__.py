"""Export buyer inquiries matched to exporters by HS code, answered and followed to a contract (issue 13 item 3)."""
