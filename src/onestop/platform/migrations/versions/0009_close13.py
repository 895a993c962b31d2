"""close13: recorded outcomes (export contracts, idle-asset deals) counted in the KPI actuals

Revision ID: 0009_close13
Revises: 0008_market13
Create Date: 2026-11-30 13:50:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import onestop.platform.db

revision: str = '0009_close13'
down_revision: str | None = '0008_market13'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('outcome_recorded',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_kind', sa.String(length=30), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('firm_id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.String(length=100), nullable=False),
    sa.Column('agency_id', sa.String(length=60), nullable=False),
    sa.Column('sido', sa.String(length=2), nullable=False),
    sa.Column('measure', sa.String(length=40), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('created_at', onestop.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source_kind', 'source_id', 'measure')
    )
    op.create_index('ix_outcome_recorded_agency', 'outcome_recorded', ['agency_id', 'measure', 'occurred_on'],
                    unique=False)
    op.create_index('ix_outcome_recorded_program', 'outcome_recorded', ['program_id', 'measure', 'occurred_on'],
                    unique=False)
    op.create_index(op.f('ix_outcome_recorded_firm_id'), 'outcome_recorded', ['firm_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_outcome_recorded_firm_id'), table_name='outcome_recorded')
    op.drop_index('ix_outcome_recorded_program', table_name='outcome_recorded')
    op.drop_index('ix_outcome_recorded_agency', table_name='outcome_recorded')
    op.drop_table('outcome_recorded')
