"""Foundation: the area registry (areas, LAOs), users, bearer tokens, audit log.

Area geometry is a PostGIS geometry(MultiPolygon, 4326) on PostgreSQL (the extension is
created here) and WKB in a BLOB on SQLite; both carry bounding-box columns.

Revision ID: 0001
Revises: 
Create Date: 2026-11-27 00:13:25.677160

"""
import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def _is_postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _geometry_type():
    if _is_postgresql():
        return Geometry("MULTIPOLYGON", srid=4326, spatial_index=False)
    return sa.LargeBinary()


def upgrade():
    if _is_postgresql():
        op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.create_table('laos',
    sa.Column('code', sa.String(length=10), nullable=False),
    sa.Column('name_th', sa.String(length=200), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('province_code', sa.String(length=2), nullable=False),
    sa.Column('district_code', sa.String(length=4), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_laos'))
    )
    with op.batch_alter_table('laos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_laos_district_code'), ['district_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_laos_province_code'), ['province_code'], unique=False)

    op.create_table('areas',
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('parent_code', sa.String(length=8), nullable=True),
    sa.Column('province_code', sa.String(length=2), nullable=False),
    sa.Column('name_th', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=True),
    sa.Column('in_survey', sa.Boolean(), nullable=False),
    sa.Column('moo', sa.Integer(), nullable=True),
    sa.Column('lao_code', sa.String(length=10), nullable=True),
    sa.Column('geom', _geometry_type(), nullable=True),
    sa.Column('min_lon', sa.Float(), nullable=True),
    sa.Column('min_lat', sa.Float(), nullable=True),
    sa.Column('max_lon', sa.Float(), nullable=True),
    sa.Column('max_lat', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['lao_code'], ['laos.code'], name=op.f('fk_areas_lao_code_laos')),
    sa.ForeignKeyConstraint(['parent_code'], ['areas.code'], name=op.f('fk_areas_parent_code_areas')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_areas'))
    )
    with op.batch_alter_table('areas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_areas_lao_code'), ['lao_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_areas_level'), ['level'], unique=False)
        batch_op.create_index(batch_op.f('ix_areas_name_en'), ['name_en'], unique=False)
        batch_op.create_index(batch_op.f('ix_areas_name_th'), ['name_th'], unique=False)
        batch_op.create_index(batch_op.f('ix_areas_parent_code'), ['parent_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_areas_province_code'), ['province_code'], unique=False)
    if _is_postgresql():
        op.create_index("ix_areas_geom", "areas", ["geom"], postgresql_using="gist")

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('scope_area_code', sa.String(length=8), nullable=True),
    sa.Column('scope_lao_code', sa.String(length=10), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('session_nonce', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['scope_area_code'], ['areas.code'], name=op.f('fk_users_scope_area_code_areas')),
    sa.ForeignKeyConstraint(['scope_lao_code'], ['laos.code'], name=op.f('fk_users_scope_lao_code_laos')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_scope_area_code'), ['scope_area_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_users_scope_lao_code'), ['scope_lao_code'], unique=False)

    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('event', sa.String(length=40), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('username', sa.String(length=80), nullable=True),
    sa.Column('ip', sa.String(length=64), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_audit_events_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_event'), ['event'], unique=False)



def downgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_event'))
        batch_op.drop_index(batch_op.f('ix_audit_events_at'))

    op.drop_table('audit_events')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_scope_lao_code'))
        batch_op.drop_index(batch_op.f('ix_users_scope_area_code'))

    op.drop_table('users')
    if _is_postgresql():
        op.drop_index("ix_areas_geom", table_name="areas")
    with op.batch_alter_table('areas', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_areas_province_code'))
        batch_op.drop_index(batch_op.f('ix_areas_parent_code'))
        batch_op.drop_index(batch_op.f('ix_areas_name_th'))
        batch_op.drop_index(batch_op.f('ix_areas_name_en'))
        batch_op.drop_index(batch_op.f('ix_areas_level'))
        batch_op.drop_index(batch_op.f('ix_areas_lao_code'))

    op.drop_table('areas')
    with op.batch_alter_table('laos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_laos_province_code'))
        batch_op.drop_index(batch_op.f('ix_laos_district_code'))

    op.drop_table('laos')
