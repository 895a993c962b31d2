"""Advisory requests routed to experts (issue 13 item 1)."""
