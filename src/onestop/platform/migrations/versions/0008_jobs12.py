"""jobs: seeker profiles, their consent answers, postings, applications and invitations, job fairs, placements

Revision ID: 0008_jobs12
Revises: 0007_outcomes
Create Date: 2026-11-30 12:12:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import onestop.platform.db

revision: str = '0008_jobs12'
down_revision: str | None = '0008_national11'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')
_TS = onestop.platform.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table('job_consents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('item', sa.String(length=40), nullable=False),
    sa.Column('version', sa.String(length=20), nullable=False),
    sa.Column('agreed', sa.Boolean(), nullable=False),
    sa.Column('at', _TS, nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_job_consents_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_consents'))
    )
    op.create_index(op.f('ix_job_consents_user_id'), 'job_consents', ['user_id'], unique=False)
    op.create_table('job_postings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('firm_id', sa.Integer(), nullable=False),
    sa.Column('posted_by', sa.Integer(), nullable=True),
    sa.Column('agency_id', sa.String(length=60), nullable=True),
    sa.Column('external_id', sa.String(length=40), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('occupation', sa.String(length=5), nullable=False),
    sa.Column('region', sa.String(length=5), nullable=False),
    sa.Column('opens_on', sa.Date(), nullable=False),
    sa.Column('closes_on', sa.Date(), nullable=False),
    sa.Column('data', _JSON, nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('created_at', _TS, nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['firm_id'], ['firms.id'], name=op.f('fk_job_postings_firm_id_firms'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_postings')),
    sa.UniqueConstraint('external_id', name=op.f('uq_job_postings_external_id'))
    )
    for col in ('closes_on', 'firm_id', 'occupation', 'region'):
        op.create_index(op.f(f'ix_job_postings_{col}'), 'job_postings', [col], unique=False)
    op.create_table('job_seekers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('birth_year', sa.Integer(), nullable=False),
    sa.Column('region', sa.String(length=5), nullable=False),
    sa.Column('profile', _JSON, nullable=False),
    sa.Column('discoverable', sa.Boolean(), nullable=False),
    sa.Column('consent_version', sa.String(length=20), nullable=False),
    sa.Column('created_at', _TS, nullable=False),
    sa.Column('updated_at', _TS, nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_job_seekers_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_seekers')),
    sa.UniqueConstraint('user_id', name=op.f('uq_job_seekers_user_id'))
    )
    for col in ('discoverable', 'region'):
        op.create_index(op.f(f'ix_job_seekers_{col}'), 'job_seekers', [col], unique=False)
    op.create_table('job_engagements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('posting_id', sa.Integer(), nullable=False),
    sa.Column('seeker_id', sa.Integer(), nullable=False),
    sa.Column('firm_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('match', _JSON, nullable=False),
    sa.Column('created_at', _TS, nullable=False),
    sa.Column('decided_at', _TS, nullable=True),
    sa.ForeignKeyConstraint(['posting_id'], ['job_postings.id'], name=op.f('fk_job_engagements_posting_id_job_postings'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['seeker_id'], ['job_seekers.id'], name=op.f('fk_job_engagements_seeker_id_job_seekers'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_engagements')),
    sa.UniqueConstraint('posting_id', 'seeker_id', name=op.f('uq_job_engagements_posting_id'))
    )
    for col in ('firm_id', 'posting_id', 'seeker_id'):
        op.create_index(op.f(f'ix_job_engagements_{col}'), 'job_engagements', [col], unique=False)
    op.create_table('job_fairs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('venue', sa.String(length=300), nullable=False),
    sa.Column('region', sa.String(length=5), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('created_at', _TS, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_fairs'))
    )
    op.create_index(op.f('ix_job_fairs_agency_id'), 'job_fairs', ['agency_id'], unique=False)
    op.create_table('job_fair_booths',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fair_id', sa.Integer(), nullable=False),
    sa.Column('firm_id', sa.Integer(), nullable=False),
    sa.Column('posting_ids', _JSON, nullable=False),
    sa.Column('created_at', _TS, nullable=False),
    sa.ForeignKeyConstraint(['fair_id'], ['job_fairs.id'], name=op.f('fk_job_fair_booths_fair_id_job_fairs'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['firm_id'], ['firms.id'], name=op.f('fk_job_fair_booths_firm_id_firms'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_fair_booths')),
    sa.UniqueConstraint('fair_id', 'firm_id', name=op.f('uq_job_fair_booths_fair_id'))
    )
    for col in ('fair_id', 'firm_id'):
        op.create_index(op.f(f'ix_job_fair_booths_{col}'), 'job_fair_booths', [col], unique=False)
    op.create_table('job_fair_seekers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fair_id', sa.Integer(), nullable=False),
    sa.Column('seeker_id', sa.Integer(), nullable=False),
    sa.Column('created_at', _TS, nullable=False),
    sa.ForeignKeyConstraint(['fair_id'], ['job_fairs.id'], name=op.f('fk_job_fair_seekers_fair_id_job_fairs'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['seeker_id'], ['job_seekers.id'], name=op.f('fk_job_fair_seekers_seeker_id_job_seekers'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_fair_seekers')),
    sa.UniqueConstraint('fair_id', 'seeker_id', name=op.f('uq_job_fair_seekers_fair_id'))
    )
    for col in ('fair_id', 'seeker_id'):
        op.create_index(op.f(f'ix_job_fair_seekers_{col}'), 'job_fair_seekers', [col], unique=False)
    op.create_table('job_interviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('booth_id', sa.Integer(), nullable=False),
    sa.Column('seeker_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', _TS, nullable=False),
    sa.Column('result', sa.String(length=12), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=True),
    sa.Column('created_at', _TS, nullable=False),
    sa.ForeignKeyConstraint(['booth_id'], ['job_fair_booths.id'], name=op.f('fk_job_interviews_booth_id_job_fair_booths'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['seeker_id'], ['job_seekers.id'], name=op.f('fk_job_interviews_seeker_id_job_seekers'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_interviews')),
    sa.UniqueConstraint('booth_id', 'starts_at', name=op.f('uq_job_interviews_booth_id')),
    sa.UniqueConstraint('seeker_id', 'starts_at', name=op.f('uq_job_interviews_seeker_id'))
    )
    for col in ('booth_id', 'seeker_id'):
        op.create_index(op.f(f'ix_job_interviews_{col}'), 'job_interviews', [col], unique=False)
    op.create_table('job_placements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seeker_id', sa.Integer(), nullable=False),
    sa.Column('firm_id', sa.Integer(), nullable=False),
    sa.Column('posting_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.String(length=60), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('employment_type', sa.String(length=24), nullable=False),
    sa.Column('pay_won', sa.Integer(), nullable=False),
    sa.Column('pay_unit', sa.String(length=8), nullable=False),
    sa.Column('firm_confirmed_at', _TS, nullable=True),
    sa.Column('seeker_confirmed_at', _TS, nullable=True),
    sa.Column('retained_3m', sa.Boolean(), nullable=True),
    sa.Column('retained_6m', sa.Boolean(), nullable=True),
    sa.Column('created_at', _TS, nullable=False),
    sa.ForeignKeyConstraint(['firm_id'], ['firms.id'], name=op.f('fk_job_placements_firm_id_firms'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['posting_id'], ['job_postings.id'], name=op.f('fk_job_placements_posting_id_job_postings'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['seeker_id'], ['job_seekers.id'], name=op.f('fk_job_placements_seeker_id_job_seekers'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_placements')),
    sa.UniqueConstraint('posting_id', 'seeker_id', name=op.f('uq_job_placements_posting_id'))
    )
    for col in ('agency_id', 'firm_id', 'posting_id', 'seeker_id'):
        op.create_index(op.f(f'ix_job_placements_{col}'), 'job_placements', [col], unique=False)


def downgrade() -> None:
    for table, cols in (('job_placements', ('agency_id', 'firm_id', 'posting_id', 'seeker_id')),
                        ('job_interviews', ('booth_id', 'seeker_id')), ('job_fair_seekers', ('fair_id', 'seeker_id')),
                        ('job_fair_booths', ('fair_id', 'firm_id')), ('job_fairs', ('agency_id',))):
        for col in cols:
            op.drop_index(op.f(f'ix_{table}_{col}'), table_name=table)
        op.drop_table(table)
    for col in ('firm_id', 'posting_id', 'seeker_id'):
        op.drop_index(op.f(f'ix_job_engagements_{col}'), table_name='job_engagements')
    op.drop_table('job_engagements')
    for col in ('discoverable', 'region'):
        op.drop_index(op.f(f'ix_job_seekers_{col}'), table_name='job_seekers')
    op.drop_table('job_seekers')
    for col in ('closes_on', 'firm_id', 'occupation', 'region'):
        op.drop_index(op.f(f'ix_job_postings_{col}'), table_name='job_postings')
    op.drop_table('job_postings')
    op.drop_index(op.f('ix_job_consents_user_id'), table_name='job_consents')
    op.drop_table('job_consents')
