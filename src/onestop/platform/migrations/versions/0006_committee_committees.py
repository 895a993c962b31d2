"""committee: evaluation committees (assignments, exclusions, scores, decisions, evaluators'
declarations) and the fast-track queue (issue 8 items 6-7)

Revision ID: 0006_committee
Revises: 0006_evaluation
Create Date: 2026-11-30 08:52:33.118724
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import onestop.platform.db

revision: str = '0006_committee'
down_revision: str | None = '0006_evaluation'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('evaluator_past_employments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('brn', sa.String(length=12), nullable=False),
    sa.Column('employer', sa.String(length=200), nullable=False),
    sa.Column('until', sa.Date(), nullable=False),
    sa.Column('declared_at', onestop.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_evaluator_past_employments_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluator_past_employments')),
    sa.UniqueConstraint('user_id', 'brn', name=op.f('uq_evaluator_past_employments_user_id'))
    )
    with op.batch_alter_table('evaluator_past_employments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluator_past_employments_brn'), ['brn'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluator_past_employments_user_id'), ['user_id'], unique=False)

    op.create_table('evaluator_profiles',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('region', sa.String(length=10), nullable=True),
    sa.Column('organisation', sa.String(length=200), nullable=False),
    sa.Column('updated_at', onestop.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_evaluator_profiles_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_evaluator_profiles'))
    )
    op.create_table('committee_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('evaluator_id', sa.Integer(), nullable=False),
    sa.Column('assigned_by', sa.Integer(), nullable=False),
    sa.Column('assigned_at', onestop.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('excluded_at', onestop.platform.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('ground', sa.String(length=30), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('excluded_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_committee_assignments_application_id_applications')),
    sa.ForeignKeyConstraint(['assigned_by'], ['users.id'], name=op.f('fk_committee_assignments_assigned_by_users')),
    sa.ForeignKeyConstraint(['evaluator_id'], ['users.id'], name=op.f('fk_committee_assignments_evaluator_id_users')),
    sa.ForeignKeyConstraint(['excluded_by'], ['users.id'], name=op.f('fk_committee_assignments_excluded_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committee_assignments')),
    sa.UniqueConstraint('application_id', 'evaluator_id', name=op.f('uq_committee_assignments_application_id'))
    )
    with op.batch_alter_table('committee_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_committee_assignments_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_committee_assignments_evaluator_id'), ['evaluator_id'], unique=False)

    op.create_table('committee_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('recommended', sa.String(length=20), nullable=False),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.Column('aggregate_hundredths', sa.Integer(), nullable=False),
    sa.Column('record', onestop.platform.db.JsonType, nullable=False),
    sa.Column('decided_by', sa.Integer(), nullable=False),
    sa.Column('decided_at', onestop.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_committee_decisions_application_id_applications')),
    sa.ForeignKeyConstraint(['decided_by'], ['users.id'], name=op.f('fk_committee_decisions_decided_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committee_decisions')),
    sa.UniqueConstraint('application_id', name=op.f('uq_committee_decisions_application_id'))
    )
    op.create_table('fast_track',
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.String(length=100), nullable=False),
    sa.Column('agency_id', sa.String(length=60), nullable=False),
    sa.Column('band', sa.String(length=2), nullable=False),
    sa.Column('band_source', sa.String(length=100), nullable=False),
    sa.Column('service_days', sa.Integer(), nullable=False),
    sa.Column('entered_at', onestop.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('decided_at', onestop.platform.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('breached_at', onestop.platform.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('escalated_at', onestop.platform.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_fast_track_application_id_applications')),
    sa.PrimaryKeyConstraint('application_id', name=op.f('pk_fast_track'))
    )
    with op.batch_alter_table('fast_track', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fast_track_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fast_track_program_id'), ['program_id'], unique=False)

    op.create_table('committee_scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('levels', onestop.platform.db.JsonType, nullable=False),
    sa.Column('total_hundredths', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('submitted_at', onestop.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['committee_assignments.id'], name=op.f('fk_committee_scores_assignment_id_committee_assignments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committee_scores')),
    sa.UniqueConstraint('assignment_id', name=op.f('uq_committee_scores_assignment_id'))
    )


def downgrade() -> None:
    op.drop_table('committee_scores')
    with op.batch_alter_table('fast_track', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fast_track_program_id'))
        batch_op.drop_index(batch_op.f('ix_fast_track_agency_id'))

    op.drop_table('fast_track')
    op.drop_table('committee_decisions')
    with op.batch_alter_table('committee_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_committee_assignments_evaluator_id'))
        batch_op.drop_index(batch_op.f('ix_committee_assignments_application_id'))

    op.drop_table('committee_assignments')
    op.drop_table('evaluator_profiles')
    with op.batch_alter_table('evaluator_past_employments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluator_past_employments_user_id'))
        batch_op.drop_index(batch_op.f('ix_evaluator_past_employments_brn'))

    op.drop_table('evaluator_past_employments')
