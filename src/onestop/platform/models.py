"""Import every feature's tables so the metadata (and Alembic) sees them all."""

from onestop.accounts import tables as accounts_tables
from onestop.advisory import tables as advisory_tables
from onestop.alerts import tables as alerts_tables
from onestop.applications import tables as applications_tables
from onestop.audit import tables as audit_tables
from onestop.catalog import tables as catalog_tables
from onestop.evaluation import committee_tables, fasttrack_tables
from onestop.evaluation import tables as evaluation_tables
from onestop.exports import tables as exports_tables
from onestop.firms import tables as firms_tables
from onestop.funds import tables as funds_tables
from onestop.jobs import tables as jobs_tables
from onestop.marketplace import tables as marketplace_tables
from onestop.matching import tables as matching_tables
from onestop.outcomes import tables as outcomes_tables
from onestop.platform.db import Base
from onestop.registry import tables as registry_tables

metadata = Base.metadata

__all__ = [
           "accounts_tables",
           "advisory_tables",
           "alerts_tables",
           "applications_tables",
           "audit_tables",
           "catalog_tables",
           "committee_tables",
           "evaluation_tables",
           "exports_tables",
           "fasttrack_tables",
           "firms_tables",
           "funds_tables",
           "jobs_tables",
           "marketplace_tables",
           "matching_tables",
           "metadata",
           "outcomes_tables",
           "registry_tables",
]
