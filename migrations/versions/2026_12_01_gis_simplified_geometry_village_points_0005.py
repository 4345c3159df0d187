"""GIS: a simplified geometry per area for maps (the full one stays for checks), optional
village/community points from the register, and the round's GPS accuracy limit.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def _geometry_type():
    if op.get_bind().dialect.name == "postgresql":
        return Geometry("MULTIPOLYGON", srid=4326, spatial_index=False)
    return sa.LargeBinary()


def upgrade():
    with op.batch_alter_table('areas', schema=None) as batch_op:
        batch_op.add_column(sa.Column('geom_simplified', _geometry_type(), nullable=True))
        batch_op.add_column(sa.Column('geom_source', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('lat', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('lon', sa.Float(), nullable=True))
    with op.batch_alter_table('survey_rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('gps_accuracy_limit_m', sa.Integer(), nullable=False,
                                      server_default='100'))


def downgrade():
    with op.batch_alter_table('survey_rounds', schema=None) as batch_op:
        batch_op.drop_column('gps_accuracy_limit_m')
    with op.batch_alter_table('areas', schema=None) as batch_op:
        batch_op.drop_column('lon')
        batch_op.drop_column('lat')
        batch_op.drop_column('geom_source')
        batch_op.drop_column('geom_simplified')
