"""Outcomes and accountability: what programs declare they measure, the firms' outcome reports
and their checks, KPI targets against actuals, small-cell suppression of public figures, and
policy simulation of a draft rule against the one in force."""
