"""Accounts: users, roles, firm memberships, sessions, API tokens and permissions."""
