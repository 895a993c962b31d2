"""evaluation: firms' statement versions (재무제표) and the recommendation shown per application

`firm_statements` holds append-only versions of a firm's statements (up to three fiscal years,
integer won); `evaluation_recommendations` the credit model's recommendation for an application
(score, band, model version, the explanation shown, or why it was routed to a person) and
whether the officer's decision followed it.

Revision ID: 0006_evaluation
Revises: 0004_audit
Create Date: 2026-11-30 09:05:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import onestop.platform.db

revision: str = '0006_evaluation'
down_revision: str | None = '0004_audit'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('firm_statements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('firm_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('years', sa.JSON().with_variant(sa.dialects.postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', onestop.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['firm_id'], ['firms.id'], name=op.f('fk_firm_statements_firm_id_firms')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_firm_statements_created_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_firm_statements')),
    sa.UniqueConstraint('firm_id', 'version', name=op.f('uq_firm_statements_firm_id'))
    )
    with op.batch_alter_table('firm_statements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_firm_statements_firm_id'), ['firm_id'], unique=False)

    op.create_table('evaluation_recommendations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('firm_id', sa.Integer(), nullable=False),
    sa.Column('statements_version', sa.Integer(), nullable=True),
    sa.Column('model_version', sa.String(length=80), nullable=True),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('band', sa.String(length=2), nullable=True),
    sa.Column('probability', sa.Float(), nullable=True),
    sa.Column('explanation', sa.JSON().with_variant(sa.dialects.postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('routed', sa.String(length=30), nullable=True),
    sa.Column('created_at', onestop.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decision', sa.String(length=20), nullable=True),
    sa.Column('followed', sa.Boolean(), nullable=True),
    sa.Column('decided_at', onestop.platform.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_evaluation_recommendations_application_id_applications')),
    sa.ForeignKeyConstraint(['firm_id'], ['firms.id'], name=op.f('fk_evaluation_recommendations_firm_id_firms')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_recommendations')),
    sa.UniqueConstraint('application_id', name=op.f('uq_evaluation_recommendations_application_id'))
    )
    with op.batch_alter_table('evaluation_recommendations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_recommendations_band'), ['band'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_recommendations_firm_id'), ['firm_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('evaluation_recommendations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_recommendations_firm_id'))
        batch_op.drop_index(batch_op.f('ix_evaluation_recommendations_band'))
    op.drop_table('evaluation_recommendations')
    with op.batch_alter_table('firm_statements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_firm_statements_firm_id'))
    op.drop_table('firm_statements')
