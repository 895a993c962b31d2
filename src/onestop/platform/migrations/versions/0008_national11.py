"""national11: alerts at scale — one run per program change (its checkpoint), one row per firm told

Revision ID: 0008_national11
Revises: 0007_outcomes
Create Date: 2026-11-30 12:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import onestop.platform.db

revision: str = '0008_national11'
down_revision: str | None = '0008_recs16'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('program_alert_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.String(length=100), nullable=False),
    sa.Column('change_key', sa.String(length=64), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('last_firm_id', sa.Integer(), nullable=False),
    sa.Column('firms_seen', sa.Integer(), nullable=False),
    sa.Column('notified', sa.Integer(), nullable=False),
    sa.Column('started_at', onestop.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', onestop.platform.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_program_alert_runs')),
    sa.UniqueConstraint('program_id', 'change_key', name=op.f('uq_program_alert_runs_program_id'))
    )
    op.create_index(op.f('ix_program_alert_runs_program_id'), 'program_alert_runs', ['program_id'], unique=False)
    op.create_table('program_alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('firm_id', sa.Integer(), nullable=False),
    sa.Column('created_at', onestop.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['program_alert_runs.id'],
                            name=op.f('fk_program_alerts_run_id_program_alert_runs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['firm_id'], ['firms.id'], name=op.f('fk_program_alerts_firm_id_firms'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_program_alerts')),
    sa.UniqueConstraint('run_id', 'firm_id', name=op.f('uq_program_alerts_run_id'))
    )
    op.create_index(op.f('ix_program_alerts_run_id'), 'program_alerts', ['run_id'], unique=False)
    op.create_index(op.f('ix_program_alerts_firm_id'), 'program_alerts', ['firm_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_program_alerts_firm_id'), table_name='program_alerts')
    op.drop_index(op.f('ix_program_alerts_run_id'), table_name='program_alerts')
    op.drop_table('program_alerts')
    op.drop_index(op.f('ix_program_alert_runs_program_id'), table_name='program_alert_runs')
    op.drop_table('program_alert_runs')
