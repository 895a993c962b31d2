"""courses12: re-employment courses (sessions, enrolments, attendance, counselling, referrals); recorded outcomes without a firm

Revision ID: 0010_courses12
Revises: 0009_close13
Create Date: 2026-11-30 15:24:37.106232
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import onestop.platform.db

revision: str = '0010_courses12'
down_revision: str | None = '0009_close13'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('job_courses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.String(length=60), nullable=False),
    sa.Column('program_id', sa.String(length=100), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('required_minutes', sa.Integer(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('enrol_opens', sa.Date(), nullable=False),
    sa.Column('enrol_closes', sa.Date(), nullable=False),
    sa.Column('counsellor_id', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('created_at', onestop.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['counsellor_id'], ['users.id'], name=op.f('fk_job_courses_counsellor_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_courses'))
    )
    with op.batch_alter_table('job_courses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_courses_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_courses_counsellor_id'), ['counsellor_id'], unique=False)

    op.create_table('job_counselling',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('counsellor_id', sa.Integer(), nullable=False),
    sa.Column('seeker_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', onestop.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', onestop.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['job_courses.id'], name=op.f('fk_job_counselling_course_id_job_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['seeker_id'], ['job_seekers.id'], name=op.f('fk_job_counselling_seeker_id_job_seekers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_counselling')),
    sa.UniqueConstraint('counsellor_id', 'starts_at', name=op.f('uq_job_counselling_counsellor_id')),
    sa.UniqueConstraint('seeker_id', 'starts_at', name=op.f('uq_job_counselling_seeker_id'))
    )
    with op.batch_alter_table('job_counselling', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_counselling_counsellor_id'), ['counsellor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_counselling_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_counselling_seeker_id'), ['seeker_id'], unique=False)

    op.create_table('job_course_enrolments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('seeker_id', sa.Integer(), nullable=False),
    sa.Column('cancelled_at', onestop.platform.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('created_at', onestop.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['job_courses.id'], name=op.f('fk_job_course_enrolments_course_id_job_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['seeker_id'], ['job_seekers.id'], name=op.f('fk_job_course_enrolments_seeker_id_job_seekers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_course_enrolments')),
    sa.UniqueConstraint('course_id', 'seeker_id', name=op.f('uq_job_course_enrolments_course_id'))
    )
    with op.batch_alter_table('job_course_enrolments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_course_enrolments_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_course_enrolments_seeker_id'), ['seeker_id'], unique=False)

    op.create_table('job_course_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('starts', sa.String(length=5), nullable=False),
    sa.Column('ends', sa.String(length=5), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('mode', sa.String(length=8), nullable=False),
    sa.Column('venue', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['job_courses.id'], name=op.f('fk_job_course_sessions_course_id_job_courses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_course_sessions'))
    )
    with op.batch_alter_table('job_course_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_course_sessions_course_id'), ['course_id'], unique=False)

    op.create_table('job_course_attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=False),
    sa.Column('recorded_at', onestop.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['enrolment_id'], ['job_course_enrolments.id'], name=op.f('fk_job_course_attendance_enrolment_id_job_course_enrolments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['job_course_sessions.id'], name=op.f('fk_job_course_attendance_session_id_job_course_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_course_attendance')),
    sa.UniqueConstraint('session_id', 'enrolment_id', name=op.f('uq_job_course_attendance_session_id'))
    )
    with op.batch_alter_table('job_course_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_course_attendance_enrolment_id'), ['enrolment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_course_attendance_session_id'), ['session_id'], unique=False)

    op.create_table('job_referrals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.Integer(), nullable=False),
    sa.Column('seeker_id', sa.Integer(), nullable=False),
    sa.Column('posting_id', sa.Integer(), nullable=False),
    sa.Column('referred_by', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', onestop.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['job_courses.id'], name=op.f('fk_job_referrals_course_id_job_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['enrolment_id'], ['job_course_enrolments.id'], name=op.f('fk_job_referrals_enrolment_id_job_course_enrolments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['posting_id'], ['job_postings.id'], name=op.f('fk_job_referrals_posting_id_job_postings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['seeker_id'], ['job_seekers.id'], name=op.f('fk_job_referrals_seeker_id_job_seekers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_referrals')),
    sa.UniqueConstraint('enrolment_id', 'posting_id', name=op.f('uq_job_referrals_enrolment_id'))
    )
    with op.batch_alter_table('job_referrals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_referrals_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_referrals_enrolment_id'), ['enrolment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_referrals_posting_id'), ['posting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_referrals_seeker_id'), ['seeker_id'], unique=False)

    with op.batch_alter_table('job_placements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('course_id', sa.Integer(), nullable=True))

    with op.batch_alter_table('outcome_recorded', schema=None) as batch_op:
        batch_op.alter_column('firm_id',
               existing_type=sa.INTEGER(),
               nullable=True)



def downgrade() -> None:
    with op.batch_alter_table('outcome_recorded', schema=None) as batch_op:
        batch_op.alter_column('firm_id',
               existing_type=sa.INTEGER(),
               nullable=False)

    with op.batch_alter_table('job_placements', schema=None) as batch_op:
        batch_op.drop_column('course_id')

    with op.batch_alter_table('job_referrals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_referrals_seeker_id'))
        batch_op.drop_index(batch_op.f('ix_job_referrals_posting_id'))
        batch_op.drop_index(batch_op.f('ix_job_referrals_enrolment_id'))
        batch_op.drop_index(batch_op.f('ix_job_referrals_course_id'))

    op.drop_table('job_referrals')
    with op.batch_alter_table('job_course_attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_course_attendance_session_id'))
        batch_op.drop_index(batch_op.f('ix_job_course_attendance_enrolment_id'))

    op.drop_table('job_course_attendance')
    with op.batch_alter_table('job_course_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_course_sessions_course_id'))

    op.drop_table('job_course_sessions')
    with op.batch_alter_table('job_course_enrolments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_course_enrolments_seeker_id'))
        batch_op.drop_index(batch_op.f('ix_job_course_enrolments_course_id'))

    op.drop_table('job_course_enrolments')
    with op.batch_alter_table('job_counselling', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_counselling_seeker_id'))
        batch_op.drop_index(batch_op.f('ix_job_counselling_course_id'))
        batch_op.drop_index(batch_op.f('ix_job_counselling_counsellor_id'))

    op.drop_table('job_counselling')
    with op.batch_alter_table('job_courses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_courses_counsellor_id'))
        batch_op.drop_index(batch_op.f('ix_job_courses_agency_id'))

    op.drop_table('job_courses')
