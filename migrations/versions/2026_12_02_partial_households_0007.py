"""Partial households: a household whose required answers are missing is stored only with
the reason the enumerator chose (and a note where the reason asks for one); village rollups
count such households apart. The enumerator's own confirmation on the phone (the form's
second signer) is kept beside the head's signature.

Households stored before this revision keep no reason (none was asked for), so they are not
partial, and every rollup's count starts at 0 — equal to a recomputation.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.add_column(sa.Column('incomplete_reason', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('incomplete_note', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('enumerator_confirmed_at', sa.DateTime(timezone=True),
                                      nullable=True))
    with op.batch_alter_table('village_rollups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('partial_households', sa.Integer(), nullable=False,
                                      server_default='0'))


def downgrade():
    with op.batch_alter_table('village_rollups', schema=None) as batch_op:
        batch_op.drop_column('partial_households')
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.drop_column('enumerator_confirmed_at')
        batch_op.drop_column('incomplete_note')
        batch_op.drop_column('incomplete_reason')
