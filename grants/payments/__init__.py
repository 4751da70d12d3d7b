"""Money after the offer: payment schedules, finance's approvals and payments, variations, recoveries,
closure, and budgets by stream and year."""
