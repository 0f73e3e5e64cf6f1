"""Tokens ended by logout (revoked_tokens); emails in their normal form (NFKC, lower case).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "revoked_tokens",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("jti", sa.String(32), nullable=False, unique=True),
        sa.Column("user_id", sa.String(32), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_index("ix_revoked_tokens_expires_at", "revoked_tokens", ["expires_at"])
    # Emails as the app now stores them (app/api/routes/auth.py: normal_email). An address whose
    # normal form another account already has is left as it was (its owner keeps signing in).
    op.execute(
        "UPDATE users SET email = lower(normalize(email, NFKC))"
        " WHERE email <> lower(normalize(email, NFKC))"
        " AND NOT EXISTS (SELECT 1 FROM users other WHERE other.email = lower(normalize(users.email, NFKC)))"
    )


def downgrade() -> None:
    op.drop_index("ix_revoked_tokens_expires_at", table_name="revoked_tokens")
    op.drop_table("revoked_tokens")
