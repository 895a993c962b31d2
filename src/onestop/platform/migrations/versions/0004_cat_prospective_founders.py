"""prospective founders: a firm row may have no business registration number yet

A prospective founder (예비창업자) registers before the tax office gives a BRN; the column stays
unique, and NULLs do not collide on SQLite or PostgreSQL.

Revision ID: 0004_cat
Revises: 0003
Create Date: 2026-11-30 07:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004_cat'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('firms') as batch:
        batch.alter_column('brn', existing_type=sa.String(length=12), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table('firms') as batch:
        batch.alter_column('brn', existing_type=sa.String(length=12), nullable=False)
