"""advisory13: advisory experts, needs, routes and reminders; export inquiries, exporters' HS codes,
answers and contracts

Revision ID: 0008_advisory13
Revises: 0007_outcomes
Create Date: 2026-11-30 12:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import onestop.platform.db

revision: str = '0008_advisory13'
down_revision: str | None = '0008_jobs12'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')
_TS = onestop.platform.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table('advisory_experts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('institution', sa.String(length=200), nullable=False),
    sa.Column('subjects', _JSON, nullable=False),
    sa.Column('regions', _JSON, nullable=False),
    sa.Column('filters', _JSON, nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', _TS, nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_advisory_experts_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_advisory_experts')),
    sa.UniqueConstraint('user_id', name=op.f('uq_advisory_experts_user_id'))
    )
    op.create_index(op.f('ix_advisory_experts_institution'), 'advisory_experts', ['institution'], unique=False)
    op.create_table('advisory_needs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('firm_id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('facts', _JSON, nullable=False),
    sa.Column('decision', _JSON, nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('routed_on', sa.Date(), nullable=False),
    sa.Column('closure', sa.String(length=30), nullable=True),
    sa.Column('closed_at', _TS, nullable=True),
    sa.Column('closed_by', sa.Integer(), nullable=True),
    sa.Column('satisfaction', sa.Integer(), nullable=True),
    sa.Column('survey_comment', sa.Text(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('created_at', _TS, nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['firm_id'], ['firms.id'], name=op.f('fk_advisory_needs_firm_id_firms')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_advisory_needs'))
    )
    for col in ('firm_id', 'subject', 'state'):
        op.create_index(op.f(f'ix_advisory_needs_{col}'), 'advisory_needs', [col], unique=False)
    op.create_table('advisory_routes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('expert_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('reason_ko', sa.Text(), nullable=False),
    sa.Column('reason_en', sa.Text(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('decline_reason', sa.Text(), nullable=False),
    sa.Column('decided_at', _TS, nullable=True),
    sa.Column('created_at', _TS, nullable=False),
    sa.ForeignKeyConstraint(['need_id'], ['advisory_needs.id'], name=op.f('fk_advisory_routes_need_id_advisory_needs')),
    sa.ForeignKeyConstraint(['expert_id'], ['advisory_experts.id'],
                            name=op.f('fk_advisory_routes_expert_id_advisory_experts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_advisory_routes')),
    sa.UniqueConstraint('need_id', 'expert_id', name=op.f('uq_advisory_routes_need_id'))
    )
    for col in ('need_id', 'expert_id', 'state'):
        op.create_index(op.f(f'ix_advisory_routes_{col}'), 'advisory_routes', [col], unique=False)
    op.create_table('advisory_reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('sent_at', _TS, nullable=True),
    sa.ForeignKeyConstraint(['need_id'], ['advisory_needs.id'],
                            name=op.f('fk_advisory_reminders_need_id_advisory_needs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_advisory_reminders')),
    sa.UniqueConstraint('need_id', 'step', name=op.f('uq_advisory_reminders_need_id'))
    )
    op.create_index(op.f('ix_advisory_reminders_need_id'), 'advisory_reminders', ['need_id'], unique=False)
    op.create_index(op.f('ix_advisory_reminders_due_on'), 'advisory_reminders', ['due_on'], unique=False)


    op.create_table('advisory_engagements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('expert_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('planned_sessions', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('assessment', sa.Text(), nullable=False),
    sa.Column('goals_met', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['need_id'], ['advisory_needs.id'], name=op.f('fk_advisory_engagements_need_id_advisory_needs')),
    sa.ForeignKeyConstraint(['expert_id'], ['advisory_experts.id'],
                            name=op.f('fk_advisory_engagements_expert_id_advisory_experts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_advisory_engagements')),
    sa.UniqueConstraint('need_id', name=op.f('uq_advisory_engagements_need_id'))
    )
    op.create_index(op.f('ix_advisory_engagements_expert_id'), 'advisory_engagements', ['expert_id'], unique=False)
    op.create_table('advisory_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('engagement_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('report', sa.Text(), nullable=False),
    sa.Column('created_at', _TS, nullable=False),
    sa.ForeignKeyConstraint(['engagement_id'], ['advisory_engagements.id'],
                            name=op.f('fk_advisory_sessions_engagement_id_advisory_engagements')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_advisory_sessions'))
    )
    op.create_index(op.f('ix_advisory_sessions_engagement_id'), 'advisory_sessions', ['engagement_id'], unique=False)
    op.create_table('export_profiles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('firm_id', sa.Integer(), nullable=False),
    sa.Column('hs_codes', _JSON, nullable=False),
    sa.Column('certifications', _JSON, nullable=False),
    sa.Column('countries', _JSON, nullable=False),
    sa.Column('updated_at', _TS, nullable=False),
    sa.ForeignKeyConstraint(['firm_id'], ['firms.id'], name=op.f('fk_export_profiles_firm_id_firms')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_export_profiles')),
    sa.UniqueConstraint('firm_id', name=op.f('uq_export_profiles_firm_id'))
    )
    op.create_table('export_inquiries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.String(length=60), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('buyer_name', sa.String(length=200), nullable=False),
    sa.Column('buyer_country', sa.String(length=2), nullable=False),
    sa.Column('product', sa.Text(), nullable=False),
    sa.Column('hs_code', sa.String(length=10), nullable=False),
    sa.Column('quantity', sa.String(length=200), nullable=False),
    sa.Column('target_price_usd', sa.BigInteger(), nullable=True),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('required', _JSON, nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('created_at', _TS, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_export_inquiries'))
    )
    for col in ('agency_id', 'hs_code', 'state'):
        op.create_index(op.f(f'ix_export_inquiries_{col}'), 'export_inquiries', [col], unique=False)
    op.create_table('export_offers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('inquiry_id', sa.Integer(), nullable=False),
    sa.Column('firm_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('matched_hs', sa.String(length=10), nullable=False),
    sa.Column('reasons_ko', _JSON, nullable=False),
    sa.Column('reasons_en', _JSON, nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('quote_usd', sa.BigInteger(), nullable=True),
    sa.Column('quote_note', sa.Text(), nullable=False),
    sa.Column('samples', sa.Boolean(), nullable=False),
    sa.Column('answered_at', _TS, nullable=True),
    sa.Column('contract_won', sa.BigInteger(), nullable=True),
    sa.Column('contract_usd', sa.BigInteger(), nullable=True),
    sa.Column('contracted_on', sa.Date(), nullable=True),
    sa.Column('updated_at', _TS, nullable=False),
    sa.ForeignKeyConstraint(['inquiry_id'], ['export_inquiries.id'],
                            name=op.f('fk_export_offers_inquiry_id_export_inquiries')),
    sa.ForeignKeyConstraint(['firm_id'], ['firms.id'], name=op.f('fk_export_offers_firm_id_firms')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_export_offers')),
    sa.UniqueConstraint('inquiry_id', 'firm_id', name=op.f('uq_export_offers_inquiry_id'))
    )
    for col in ('inquiry_id', 'firm_id', 'state'):
        op.create_index(op.f(f'ix_export_offers_{col}'), 'export_offers', [col], unique=False)


def downgrade() -> None:
    op.drop_table('export_offers')
    op.drop_table('export_inquiries')
    op.drop_table('export_profiles')
    op.drop_table('advisory_sessions')
    op.drop_table('advisory_engagements')
    op.drop_table('advisory_reminders')
    op.drop_table('advisory_routes')
    op.drop_table('advisory_needs')
    op.drop_table('advisory_experts')
