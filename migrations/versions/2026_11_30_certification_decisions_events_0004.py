"""Certification: committee decisions, the append-only hash-chained event log (UPDATE and
DELETE refused by triggers on both databases), round settings for certification, and who
resolved a quality issue and how.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

APPEND_ONLY = "certification events are append-only"


def upgrade():
    with op.batch_alter_table('survey_rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('coverage_threshold_pct', sa.Integer(), nullable=False,
                                      server_default='90'))
        batch_op.add_column(sa.Column('min_participants', sa.JSON(), nullable=True))
    op.execute("UPDATE survey_rounds SET min_participants = "
               "'{\"lao\": 20, \"district\": 20, \"province\": 20}'")
    with op.batch_alter_table('survey_rounds', schema=None) as batch_op:
        batch_op.alter_column('min_participants', existing_type=sa.JSON(), nullable=False)

    with op.batch_alter_table('quality_issues', schema=None) as batch_op:
        batch_op.add_column(sa.Column('resolved_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('resolution', sa.Text(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_quality_issues_resolved_by_id_users'),
                                    'users', ['resolved_by_id'], ['id'])

    op.create_table('certification_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_year', sa.Integer(), nullable=False),
    sa.Column('tier', sa.String(length=16), nullable=False),
    sa.Column('unit_code', sa.String(length=10), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('data_revision', sa.String(length=32), nullable=False),
    sa.Column('gates', sa.JSON(), nullable=True),
    sa.Column('snapshot', sa.JSON(), nullable=True),
    sa.Column('meeting', sa.JSON(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('pack_pdf', sa.LargeBinary(), nullable=True),
    sa.Column('pack_sha256', sa.String(length=64), nullable=True),
    sa.Column('minutes_pdf', sa.LargeBinary(), nullable=True),
    sa.Column('minutes_sha256', sa.String(length=64), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_role', sa.String(length=32), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_certification_decisions_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['round_year'], ['survey_rounds.year'], name=op.f('fk_certification_decisions_round_year_survey_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certification_decisions')),
    sa.UniqueConstraint('round_year', 'tier', 'unit_code', 'seq', name=op.f('uq_certification_decisions_round_year'))
    )
    with op.batch_alter_table('certification_decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certification_decisions_round_year'), ['round_year'], unique=False)
        batch_op.create_index(batch_op.f('ix_certification_decisions_unit_code'), ['unit_code'], unique=False)

    op.create_table('certification_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('round_year', sa.Integer(), nullable=False),
    sa.Column('tier', sa.String(length=16), nullable=False),
    sa.Column('unit_code', sa.String(length=10), nullable=False),
    sa.Column('event', sa.String(length=24), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_role', sa.String(length=32), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('document_sha256', sa.String(length=64), nullable=True),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certification_events')),
    sa.UniqueConstraint('hash', name=op.f('uq_certification_events_hash')),
    sa.UniqueConstraint('prev_hash', name=op.f('uq_certification_events_prev_hash'))
    )
    with op.batch_alter_table('certification_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certification_events_round_year'), ['round_year'], unique=False)
        batch_op.create_index(batch_op.f('ix_certification_events_unit_code'), ['unit_code'], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION certification_events_append_only() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$ LANGUAGE plpgsql""")
        op.execute("""
            CREATE TRIGGER certification_events_append_only
            BEFORE UPDATE OR DELETE ON certification_events
            FOR EACH ROW EXECUTE FUNCTION certification_events_append_only()""")
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(f"""
                CREATE TRIGGER certification_events_no_{action.lower()}
                BEFORE {action} ON certification_events
                BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END""")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER certification_events_append_only ON certification_events")
        op.execute("DROP FUNCTION certification_events_append_only()")
    else:
        for action in ("update", "delete"):
            op.execute(f"DROP TRIGGER certification_events_no_{action}")
    with op.batch_alter_table('certification_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certification_events_unit_code'))
        batch_op.drop_index(batch_op.f('ix_certification_events_round_year'))
    op.drop_table('certification_events')
    with op.batch_alter_table('certification_decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certification_decisions_unit_code'))
        batch_op.drop_index(batch_op.f('ix_certification_decisions_round_year'))
    op.drop_table('certification_decisions')
    with op.batch_alter_table('quality_issues', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_quality_issues_resolved_by_id_users'),
                                 type_='foreignkey')
        batch_op.drop_column('resolution')
        batch_op.drop_column('resolved_by_id')
    with op.batch_alter_table('survey_rounds', schema=None) as batch_op:
        batch_op.drop_column('min_participants')
        batch_op.drop_column('coverage_threshold_pct')
