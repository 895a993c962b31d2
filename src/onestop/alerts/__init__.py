"""Saved searches and alerts: in-app notifications, and email when SMTP is configured."""
