"""outcomes2: the executions' summary table and its rollup (dashboards and statistics as
aggregate queries), the review queue's and the outcome totals' indexes

Revision ID: 0008_outcomes2
Revises: 0007_outcomes
Create Date: 2026-11-30 12:20:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008_outcomes2'
down_revision: str | None = '0008_funds2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('outcome_supported',
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('firm_id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.String(length=100), nullable=False),
    sa.Column('agency_id', sa.String(length=60), nullable=False),
    sa.Column('executed_on', sa.Date(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('sido', sa.String(length=2), nullable=False),
    sa.Column('industry', sa.String(length=10), nullable=False),
    sa.Column('size_class', sa.String(length=20), nullable=False),
    sa.Column('ceo_age_band', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'],
                            name=op.f('fk_outcome_supported_application_id_applications')),
    sa.PrimaryKeyConstraint('application_id', name=op.f('pk_outcome_supported'))
    )
    op.create_index(op.f('ix_outcome_supported_firm_id'), 'outcome_supported', ['firm_id'], unique=False)
    op.create_index(op.f('ix_outcome_supported_program_id'), 'outcome_supported', ['program_id'], unique=False)
    op.create_index('ix_outcome_supported_agency_day', 'outcome_supported', ['agency_id', 'executed_on'], unique=False)
    op.create_index('ix_outcome_supported_year_program', 'outcome_supported', ['year', 'program_id', 'executed_on'],
                    unique=False)
    op.create_index('ix_outcome_supported_year_sido', 'outcome_supported', ['year', 'sido', 'size_class'],
                    unique=False)
    op.create_table('outcome_supported_counts',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.String(length=60), nullable=False),
    sa.Column('program_id', sa.String(length=100), nullable=False),
    sa.Column('sido', sa.String(length=2), nullable=False),
    sa.Column('industry', sa.String(length=10), nullable=False),
    sa.Column('size_class', sa.String(length=20), nullable=False),
    sa.Column('ceo_age_band', sa.String(length=20), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', 'agency_id', 'program_id', 'sido', 'industry', 'size_class', 'ceo_age_band',
                            name=op.f('pk_outcome_supported_counts'))
    )
    op.create_index('ix_outcome_reports_queue', 'outcome_reports', ['state', 'agency_id', 'submitted_at'],
                    unique=False)
    op.create_index('ix_outcome_reports_queue_all', 'outcome_reports', ['state', 'submitted_at'], unique=False)
    op.create_index('ix_outcome_reports_totals', 'outcome_reports', ['program_id', 'state', 'period_end'],
                    unique=False)
    _backfill()


def _backfill() -> None:
    """Applications executed before this revision get their summary row (`dashboard.backfill`:
    the KST date of the `execute` event, the groups from the firm's profile on that date)."""
    conn = op.get_bind()
    events = sa.table('application_events', sa.column('action', sa.String()))
    if conn.execute(sa.select(sa.func.count()).select_from(events).where(events.c.action == 'execute')).scalar():
        from sqlalchemy.orm import Session

        from onestop.outcomes.dashboard import backfill

        with Session(bind=conn) as db:
            backfill(db)
            db.commit()  # joins the migration's transaction: written when the migration commits


def downgrade() -> None:
    for name in ('ix_outcome_reports_totals', 'ix_outcome_reports_queue_all', 'ix_outcome_reports_queue'):
        op.drop_index(name, table_name='outcome_reports')
    op.drop_table('outcome_supported_counts')
    for name in ('ix_outcome_supported_year_sido', 'ix_outcome_supported_year_program', 'ix_outcome_supported_agency_day',
                 op.f('ix_outcome_supported_program_id'), op.f('ix_outcome_supported_firm_id')):
        op.drop_index(name, table_name='outcome_supported')
    op.drop_table('outcome_supported')
