"""outcomes: outcome reports (one per executed application and reporting period) and KPI targets

Revision ID: 0007_outcomes
Revises: 0006_funds
Create Date: 2026-11-30 10:05:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import onestop.platform.db

revision: str = '0007_outcomes'
down_revision: str | None = '0006_funds'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')


def upgrade() -> None:
    op.create_table('outcome_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('firm_id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.String(length=100), nullable=False),
    sa.Column('agency_id', sa.String(length=60), nullable=False),
    sa.Column('executed_on', sa.Date(), nullable=False),
    sa.Column('after_months', sa.Integer(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('values', _JSON, nullable=False),
    sa.Column('confirmed', _JSON, nullable=False),
    sa.Column('as_of', sa.Date(), nullable=True),
    sa.Column('submitted_at', onestop.platform.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('submitted_by', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', onestop.platform.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reviewed_by', sa.Integer(), nullable=True),
    sa.Column('review_note', sa.Text(), nullable=False),
    sa.Column('reminded_for', sa.Date(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', onestop.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'],
                            name=op.f('fk_outcome_reports_application_id_applications')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outcome_reports')),
    sa.UniqueConstraint('application_id', 'after_months', name=op.f('uq_outcome_reports_application_id'))
    )
    for col in ('application_id', 'firm_id', 'program_id', 'agency_id', 'due_on', 'state'):
        op.create_index(op.f(f'ix_outcome_reports_{col}'), 'outcome_reports', [col], unique=False)
    op.create_table('kpi_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.String(length=100), nullable=False),
    sa.Column('agency_id', sa.String(length=60), nullable=False),
    sa.Column('region', sa.String(length=2), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('measure', sa.String(length=40), nullable=False),
    sa.Column('target', sa.BigInteger(), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('baseline', sa.BigInteger(), nullable=True),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('source_url', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_targets')),
    sa.UniqueConstraint('program_id', 'agency_id', 'region', 'year', 'measure', name=op.f('uq_kpi_targets_program_id'))
    )


def downgrade() -> None:
    op.drop_table('kpi_targets')
    for col in ('application_id', 'firm_id', 'program_id', 'agency_id', 'due_on', 'state'):
        op.drop_index(op.f(f'ix_outcome_reports_{col}'), table_name='outcome_reports')
    op.drop_table('outcome_reports')
