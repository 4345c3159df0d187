"""Survey core: rounds, targets, assignments, households and members, quality issues,
and the per-village rollups.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 00:28:18.010920

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('survey_rounds',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('questionnaire_version', sa.String(length=20), nullable=False),
    sa.Column('collection_start', sa.Date(), nullable=False),
    sa.Column('collection_end', sa.Date(), nullable=False),
    sa.Column('income_line', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_survey_rounds'))
    )
    op.create_table('survey_targets',
    sa.Column('round_year', sa.Integer(), nullable=False),
    sa.Column('area_code', sa.String(length=8), nullable=False),
    sa.Column('households', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['area_code'], ['areas.code'], name=op.f('fk_survey_targets_area_code_areas')),
    sa.ForeignKeyConstraint(['round_year'], ['survey_rounds.year'], name=op.f('fk_survey_targets_round_year_survey_rounds')),
    sa.PrimaryKeyConstraint('round_year', 'area_code', name=op.f('pk_survey_targets'))
    )
    op.create_table('village_rollups',
    sa.Column('round_year', sa.Integer(), nullable=False),
    sa.Column('area_code', sa.String(length=8), nullable=False),
    sa.Column('province_code', sa.String(length=2), nullable=False),
    sa.Column('households', sa.Integer(), nullable=False),
    sa.Column('returned_households', sa.Integer(), nullable=False),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.Column('people_by_sex_age', sa.JSON(), nullable=False),
    sa.Column('indicator_applicable', sa.JSON(), nullable=False),
    sa.Column('indicator_passed', sa.JSON(), nullable=False),
    sa.Column('indicator_incomplete', sa.JSON(), nullable=False),
    sa.Column('income_sum', sa.BigInteger(), nullable=False),
    sa.Column('expense_sum', sa.BigInteger(), nullable=False),
    sa.Column('income_items', sa.JSON(), nullable=False),
    sa.Column('expense_items', sa.JSON(), nullable=False),
    sa.Column('below_income_line', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['area_code'], ['areas.code'], name=op.f('fk_village_rollups_area_code_areas')),
    sa.ForeignKeyConstraint(['round_year'], ['survey_rounds.year'], name=op.f('fk_village_rollups_round_year_survey_rounds')),
    sa.PrimaryKeyConstraint('round_year', 'area_code', name=op.f('pk_village_rollups'))
    )
    with op.batch_alter_table('village_rollups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_village_rollups_province_code'), ['province_code'], unique=False)

    op.create_table('households',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('round_year', sa.Integer(), nullable=False),
    sa.Column('province_code', sa.String(length=2), nullable=False),
    sa.Column('village_code', sa.String(length=8), nullable=False),
    sa.Column('lao_code', sa.String(length=10), nullable=False),
    sa.Column('house_code', sa.String(length=11), nullable=True),
    sa.Column('house_number', sa.String(length=40), nullable=True),
    sa.Column('address', sa.JSON(), nullable=True),
    sa.Column('residence_land', sa.JSON(), nullable=True),
    sa.Column('occupation_land', sa.JSON(), nullable=True),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('happiness', sa.Integer(), nullable=True),
    sa.Column('gps_lat', sa.Float(), nullable=True),
    sa.Column('gps_lon', sa.Float(), nullable=True),
    sa.Column('gps_accuracy_m', sa.Float(), nullable=True),
    sa.Column('gps_missing_reason', sa.String(length=200), nullable=True),
    sa.Column('interviewed_on', sa.Date(), nullable=False),
    sa.Column('signed_by', sa.String(length=200), nullable=False),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('signature_png', sa.LargeBinary(), nullable=False),
    sa.Column('enumerator_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('return_reason', sa.Text(), nullable=True),
    sa.Column('returned_by_id', sa.Integer(), nullable=True),
    sa.Column('returned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('member_count', sa.Integer(), nullable=False),
    sa.Column('applicable_mask', sa.BigInteger(), nullable=False),
    sa.Column('passed_mask', sa.BigInteger(), nullable=False),
    sa.Column('incomplete_mask', sa.BigInteger(), nullable=False),
    sa.Column('income_total', sa.BigInteger(), nullable=False),
    sa.Column('expense_total', sa.BigInteger(), nullable=False),
    sa.Column('income_per_person', sa.Float(), nullable=True),
    sa.Column('payload_hash', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['enumerator_id'], ['users.id'], name=op.f('fk_households_enumerator_id_users')),
    sa.ForeignKeyConstraint(['lao_code'], ['laos.code'], name=op.f('fk_households_lao_code_laos')),
    sa.ForeignKeyConstraint(['returned_by_id'], ['users.id'], name=op.f('fk_households_returned_by_id_users')),
    sa.ForeignKeyConstraint(['round_year'], ['survey_rounds.year'], name=op.f('fk_households_round_year_survey_rounds')),
    sa.ForeignKeyConstraint(['village_code'], ['areas.code'], name=op.f('fk_households_village_code_areas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_households')),
    sa.UniqueConstraint('round_year', 'house_code', name=op.f('uq_households_round_year'))
    )
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_households_enumerator_id'), ['enumerator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_households_lao_code'), ['lao_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_households_province_code'), ['province_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_households_round_year'), ['round_year'], unique=False)
        batch_op.create_index(batch_op.f('ix_households_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_households_village_code'), ['village_code'], unique=False)

    op.create_table('survey_assignments',
    sa.Column('round_year', sa.Integer(), nullable=False),
    sa.Column('area_code', sa.String(length=8), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['area_code'], ['areas.code'], name=op.f('fk_survey_assignments_area_code_areas')),
    sa.ForeignKeyConstraint(['round_year'], ['survey_rounds.year'], name=op.f('fk_survey_assignments_round_year_survey_rounds')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_survey_assignments_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('round_year', 'area_code', 'user_id', name=op.f('pk_survey_assignments'))
    )
    with op.batch_alter_table('survey_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_assignments_user_id'), ['user_id'], unique=False)

    op.create_table('household_members',
    sa.Column('household_id', sa.String(length=36), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('is_head', sa.Boolean(), nullable=False),
    sa.Column('prefix', sa.String(length=20), nullable=True),
    sa.Column('first_name', sa.String(length=100), nullable=False),
    sa.Column('last_name', sa.String(length=100), nullable=False),
    sa.Column('sex', sa.String(length=2), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('age_years', sa.Integer(), nullable=True),
    sa.Column('national_id_hash', sa.String(length=64), nullable=False),
    sa.Column('national_id_masked', sa.String(length=20), nullable=False),
    sa.Column('national_id_encrypted', sa.String(length=200), nullable=False),
    sa.Column('attributes', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_household_members_household_id_households'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('household_id', 'line_no', name=op.f('pk_household_members'))
    )
    with op.batch_alter_table('household_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_household_members_national_id_hash'), ['national_id_hash'], unique=False)

    op.create_table('quality_issues',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_year', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.String(length=36), nullable=False),
    sa.Column('village_code', sa.String(length=8), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('other_household_id', sa.String(length=36), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_quality_issues_household_id_households'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['other_household_id'], ['households.id'], name=op.f('fk_quality_issues_other_household_id_households'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_year'], ['survey_rounds.year'], name=op.f('fk_quality_issues_round_year_survey_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quality_issues'))
    )
    with op.batch_alter_table('quality_issues', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quality_issues_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quality_issues_other_household_id'), ['other_household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quality_issues_round_year'), ['round_year'], unique=False)
        batch_op.create_index(batch_op.f('ix_quality_issues_village_code'), ['village_code'], unique=False)



def downgrade():
    with op.batch_alter_table('quality_issues', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quality_issues_village_code'))
        batch_op.drop_index(batch_op.f('ix_quality_issues_round_year'))
        batch_op.drop_index(batch_op.f('ix_quality_issues_other_household_id'))
        batch_op.drop_index(batch_op.f('ix_quality_issues_household_id'))

    op.drop_table('quality_issues')
    with op.batch_alter_table('household_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_household_members_national_id_hash'))

    op.drop_table('household_members')
    with op.batch_alter_table('survey_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_assignments_user_id'))

    op.drop_table('survey_assignments')
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_households_village_code'))
        batch_op.drop_index(batch_op.f('ix_households_status'))
        batch_op.drop_index(batch_op.f('ix_households_round_year'))
        batch_op.drop_index(batch_op.f('ix_households_province_code'))
        batch_op.drop_index(batch_op.f('ix_households_lao_code'))
        batch_op.drop_index(batch_op.f('ix_households_enumerator_id'))

    op.drop_table('households')
    with op.batch_alter_table('village_rollups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_village_rollups_province_code'))

    op.drop_table('village_rollups')
    op.drop_table('survey_targets')
    op.drop_table('survey_rounds')
