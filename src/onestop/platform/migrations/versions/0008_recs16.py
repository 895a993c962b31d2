"""recommendations at catalog scale: background recomputation runs per catalog revision, and each
firm's stored standings (issue 16)

Revision ID: 0008_recs16
Revises: 0007_outcomes
Create Date: 2026-11-30 12:22:53
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import onestop.platform.db

revision: str = '0008_recs16'
down_revision: str | None = '0008_outcomes2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')


def upgrade() -> None:
    op.create_table('recommendation_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('catalog_revision', sa.Integer(), nullable=False),
    sa.Column('on_date', sa.Date(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('next_firm_id', sa.Integer(), nullable=False),
    sa.Column('firms_done', sa.Integer(), nullable=False),
    sa.Column('created_at', onestop.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', onestop.platform.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recommendation_runs')),
    sa.UniqueConstraint('catalog_revision', name=op.f('uq_recommendation_runs_catalog_revision'))
    )
    op.create_index(op.f('ix_recommendation_runs_state'), 'recommendation_runs', ['state'], unique=False)
    op.create_table('recommendation_snapshots',
    sa.Column('firm_id', sa.Integer(), nullable=False),
    sa.Column('firm_version', sa.Integer(), nullable=False),
    sa.Column('catalog_revision', sa.Integer(), nullable=False),
    sa.Column('on_date', sa.Date(), nullable=False),
    sa.Column('parameters_version', sa.String(length=20), nullable=False),
    sa.Column('standings', _JSON, nullable=False),
    sa.Column('computed_at', onestop.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['firm_id'], ['firms.id'], name=op.f('fk_recommendation_snapshots_firm_id_firms'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('firm_id', name=op.f('pk_recommendation_snapshots'))
    )


def downgrade() -> None:
    op.drop_table('recommendation_snapshots')
    op.drop_index(op.f('ix_recommendation_runs_state'), table_name='recommendation_runs')
    op.drop_table('recommendation_runs')
