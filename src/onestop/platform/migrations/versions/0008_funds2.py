"""funds2: grant settlements (정산) and clawbacks (환수), GL mapping per program, dashboard summaries

The journal's summary per budget, kind of account, month and kind of entry
(`funds_budget_totals`) is filled from the transfers posted so far.

Clawback payments are append-only (triggers, as the journal's tables are).
Every ledger account carries the GL account its program maps its kind to (filled for the
accounts that exist, from the default chart). See docs/funds.md.

Revision ID: 0008_funds2
Revises: 0007_outcomes
Create Date: 2026-11-30 12:15:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import onestop.platform.db

revision: str = '0008_funds2'
down_revision: str | None = '0007_outcomes'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = ("funds_clawback_payments",)
#: the default chart's GL code of each account kind when this migration was written (funds.gl.DEFAULT)
DEFAULT_GL = {"appropriation": "3100", "budget": "1110", "committed": "1120", "repaid": "1130",
              "loans_receivable": "1210", "overdue": "1220", "interest_receivable": "1230",
              "clawback_receivable": "1240", "interest_income": "4100", "grants_paid": "5100"}


def upgrade() -> None:
    op.create_table('funds_settlements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('firm_id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.String(length=100), nullable=False),
    sa.Column('agency_id', sa.String(length=60), nullable=False),
    sa.Column('budget_id', sa.Integer(), nullable=False),
    sa.Column('paid', sa.BigInteger(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('submitted_by', sa.Integer(), nullable=True),
    sa.Column('submitted_at', onestop.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('returned_reason', sa.Text(), nullable=False),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decided_at', onestop.platform.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('recognised', sa.BigInteger(), nullable=True),
    sa.Column('unspent', sa.BigInteger(), nullable=True),
    sa.Column('disallowed', sa.BigInteger(), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_funds_settlements_application_id_applications')),
    sa.ForeignKeyConstraint(['budget_id'], ['funds_budgets.id'], name=op.f('fk_funds_settlements_budget_id_funds_budgets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funds_settlements')),
    sa.UniqueConstraint('application_id', name=op.f('uq_funds_settlements_application_id'))
    )
    with op.batch_alter_table('funds_settlements', schema=None) as batch_op:
        for column in ('firm_id', 'program_id', 'agency_id', 'budget_id', 'state'):
            batch_op.create_index(batch_op.f(f'ix_funds_settlements_{column}'), [column], unique=False)

    op.create_table('funds_settlement_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('settlement_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('receipt_name', sa.String(length=255), nullable=False),
    sa.Column('receipt_type', sa.String(length=100), nullable=False),
    sa.Column('receipt_size', sa.Integer(), nullable=False),
    sa.Column('receipt_sha256', sa.String(length=64), nullable=False),
    sa.Column('allowed', sa.BigInteger(), nullable=True),
    sa.Column('cut_reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['settlement_id'], ['funds_settlements.id'], name=op.f('fk_funds_settlement_lines_settlement_id_funds_settlements')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funds_settlement_lines')),
    sa.UniqueConstraint('settlement_id', 'version', 'number', name=op.f('uq_funds_settlement_lines_settlement_id'))
    )
    with op.batch_alter_table('funds_settlement_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_funds_settlement_lines_settlement_id'), ['settlement_id'], unique=False)

    op.create_table('funds_clawbacks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('settlement_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('firm_id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.String(length=100), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('created_at', onestop.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_funds_clawbacks_application_id_applications')),
    sa.ForeignKeyConstraint(['settlement_id'], ['funds_settlements.id'], name=op.f('fk_funds_clawbacks_settlement_id_funds_settlements')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funds_clawbacks')),
    sa.UniqueConstraint('application_id', name=op.f('uq_funds_clawbacks_application_id')),
    sa.UniqueConstraint('settlement_id', name=op.f('uq_funds_clawbacks_settlement_id'))
    )
    with op.batch_alter_table('funds_clawbacks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_funds_clawbacks_firm_id'), ['firm_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_funds_clawbacks_program_id'), ['program_id'], unique=False)

    op.create_table('funds_clawback_payments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clawback_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.String(length=120), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=True),
    sa.Column('created_at', onestop.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['clawback_id'], ['funds_clawbacks.id'], name=op.f('fk_funds_clawback_payments_clawback_id_funds_clawbacks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funds_clawback_payments')),
    sa.UniqueConstraint('client_id', name=op.f('uq_funds_clawback_payments_client_id'))
    )
    with op.batch_alter_table('funds_clawback_payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_funds_clawback_payments_clawback_id'), ['clawback_id'], unique=False)

    op.create_table('funds_gl_mappings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('gl_code', sa.String(length=20), nullable=False),
    sa.Column('gl_name', sa.String(length=200), nullable=False),
    sa.Column('set_by', sa.Integer(), nullable=True),
    sa.Column('set_at', onestop.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funds_gl_mappings')),
    sa.UniqueConstraint('program_id', 'kind', name=op.f('uq_funds_gl_mappings_program_id'))
    )

    op.create_table('funds_budget_totals',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('budget_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('entry_kind', sa.String(length=40), nullable=False),
    sa.Column('debits', sa.BigInteger(), nullable=False),
    sa.Column('credits', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funds_budget_totals'))
    )
    op.create_index('ix_funds_budget_totals_budget_kind', 'funds_budget_totals', ['budget_id', 'kind'], unique=False)
    dialect = op.get_bind().dialect.name
    month = "to_char(e.value_date, 'YYYY-MM')" if dialect == "postgresql" else "strftime('%Y-%m', e.value_date)"
    # the summary of the journal so far: each transfer's debit and credit, by the account's budget and kind
    op.execute(f"""INSERT INTO funds_budget_totals (budget_id, kind, month, entry_kind, debits, credits)
        SELECT budget_id, kind, month, entry_kind, sum(debits), sum(credits) FROM (
          SELECT a.budget_id, a.kind, {month} AS month, e.kind AS entry_kind, t.amount AS debits, 0 AS credits
            FROM funds_transfers t JOIN funds_entries e ON e.id = t.entry_id JOIN funds_accounts a ON a.id = t.debit_account_id
          UNION ALL
          SELECT a.budget_id, a.kind, {month}, e.kind, 0, t.amount
            FROM funds_transfers t JOIN funds_entries e ON e.id = t.entry_id JOIN funds_accounts a ON a.id = t.credit_account_id
        ) x GROUP BY budget_id, kind, month, entry_kind""")
    if dialect == "postgresql":  # a firm's balance straight from the index
        op.execute("CREATE INDEX ix_funds_accounts_firm_kind ON funds_accounts (firm_id, kind) "
                   "INCLUDE (debits_posted, credits_posted)")
    else:
        op.create_index('ix_funds_accounts_firm_kind', 'funds_accounts', ['firm_id', 'kind'])

    with op.batch_alter_table('funds_accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('gl_code', sa.String(length=20), nullable=True))
        batch_op.create_index(batch_op.f('ix_funds_accounts_gl_code'), ['gl_code'], unique=False)
    for kind, code in DEFAULT_GL.items():
        op.execute(sa.text("UPDATE funds_accounts SET gl_code = :code WHERE kind = :kind").bindparams(code=code, kind=kind))

    for table in APPEND_ONLY:
        if dialect == "postgresql":
            # onestop_refuse() was created by 0002 (it names the table in its message)
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} FOR EACH ROW "
                       "EXECUTE FUNCTION onestop_refuse()")
        else:
            for verb in ("update", "delete"):
                op.execute(f"CREATE TRIGGER {table}_no_{verb} BEFORE {verb.upper()} ON {table} "
                           f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table in APPEND_ONLY:
        if dialect == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        else:
            for verb in ("update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
    with op.batch_alter_table('funds_accounts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_funds_accounts_gl_code'))
        batch_op.drop_column('gl_code')
    op.drop_index('ix_funds_accounts_firm_kind', table_name='funds_accounts')
    op.drop_index('ix_funds_budget_totals_budget_kind', table_name='funds_budget_totals')
    op.drop_table('funds_budget_totals')
    op.drop_table('funds_gl_mappings')
    op.drop_table('funds_clawback_payments')
    op.drop_table('funds_clawbacks')
    op.drop_table('funds_settlement_lines')
    op.drop_table('funds_settlements')
