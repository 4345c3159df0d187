"""Running a round: round settings (national target, payment rate, small-area threshold,
volunteer load), allocations to provinces and districts, volunteers' phone numbers and
one-time phone enrolment links, household warnings, and working committees.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('survey_rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('min_area_households', sa.Integer(), nullable=False,
                                      server_default='5'))
        batch_op.add_column(sa.Column('national_target', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('payment_rate', sa.Integer(), nullable=False,
                                      server_default='20'))
        batch_op.add_column(sa.Column('households_per_volunteer', sa.Integer(),
                                      nullable=False, server_default='40'))
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.add_column(sa.Column('warnings', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('warning_count', sa.Integer(), nullable=False,
                                      server_default='0'))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone', sa.String(length=20), nullable=True))

    op.create_table('survey_allocations',
    sa.Column('round_year', sa.Integer(), nullable=False),
    sa.Column('area_code', sa.String(length=8), nullable=False),
    sa.Column('households', sa.Integer(), nullable=False),
    sa.Column('budget', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['area_code'], ['areas.code'], name=op.f('fk_survey_allocations_area_code_areas')),
    sa.ForeignKeyConstraint(['round_year'], ['survey_rounds.year'], name=op.f('fk_survey_allocations_round_year_survey_rounds')),
    sa.PrimaryKeyConstraint('round_year', 'area_code', name=op.f('pk_survey_allocations'))
    )
    op.create_table('enrolment_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('token_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_enrolment_links_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['token_id'], ['api_tokens.id'], name=op.f('fk_enrolment_links_token_id_api_tokens'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_enrolment_links_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enrolment_links')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_enrolment_links_code_hash'))
    )
    with op.batch_alter_table('enrolment_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enrolment_links_user_id'), ['user_id'], unique=False)
    op.create_table('certification_committees',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_year', sa.Integer(), nullable=False),
    sa.Column('tier', sa.String(length=16), nullable=False),
    sa.Column('unit_code', sa.String(length=10), nullable=False),
    sa.Column('order_number', sa.String(length=60), nullable=False),
    sa.Column('order_date', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['round_year'], ['survey_rounds.year'], name=op.f('fk_certification_committees_round_year_survey_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certification_committees')),
    sa.UniqueConstraint('round_year', 'tier', 'unit_code', name=op.f('uq_certification_committees_round_year'))
    )
    with op.batch_alter_table('certification_committees', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certification_committees_unit_code'), ['unit_code'], unique=False)
    op.create_table('certification_committee_members',
    sa.Column('committee_id', sa.Integer(), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('position', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['committee_id'], ['certification_committees.id'], name=op.f('fk_certification_committee_members_committee_id_certification_committees'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('committee_id', 'line_no', name=op.f('pk_certification_committee_members'))
    )


def downgrade():
    op.drop_table('certification_committee_members')
    with op.batch_alter_table('certification_committees', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certification_committees_unit_code'))
    op.drop_table('certification_committees')
    with op.batch_alter_table('enrolment_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enrolment_links_user_id'))
    op.drop_table('enrolment_links')
    op.drop_table('survey_allocations')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('phone')
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.drop_column('warning_count')
        batch_op.drop_column('warnings')
    with op.batch_alter_table('survey_rounds', schema=None) as batch_op:
        batch_op.drop_column('households_per_volunteer')
        batch_op.drop_column('payment_rate')
        batch_op.drop_column('national_target')
        batch_op.drop_column('min_area_households')
