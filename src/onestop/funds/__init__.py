"""Policy funds: budgets and commitments, the double-entry journal, loans (schedules,
disbursement, repayment, accrual) and the officers' and firms' views of them."""
