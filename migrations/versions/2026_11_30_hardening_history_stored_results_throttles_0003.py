"""Hardening: household history and who edited; stored indicator results; income null when
incomplete; a household's LAO derived from its village; atomic sign-in throttles.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30

Existing households keep their masks; their per-indicator results are rebuilt from the
masks (outcome only, rule version ``…/0``), and rollups get income/expense denominators
equal to their household and people counts (what the earlier code averaged over).
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

OUTCOME_REASON_TH = {"pass": "ผ่านเกณฑ์", "fail": "ไม่ผ่านเกณฑ์", "na": "ไม่เกี่ยวข้อง",
                     "incomplete": "ข้อมูลไม่ครบ"}


def _results_from_masks(applicable: int, passed: int, incomplete: int, count: int = 31):
    results = []
    for number in range(1, count + 1):
        bit = 1 << (number - 1)
        outcome = ("pass" if passed & bit else "fail" if applicable & bit
                   else "incomplete" if incomplete & bit else "na")
        results.append({"number": number, "outcome": outcome,
                        "reason_th": OUTCOME_REASON_TH[outcome]})
    return results


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('failed_logins')
        batch_op.drop_column('locked_until')

    op.create_table('login_throttles',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_login_throttles'))
    )

    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_households_lao_code'))
        batch_op.drop_constraint(batch_op.f('fk_households_lao_code_laos'), type_='foreignkey')
        batch_op.drop_column('lao_code')
        batch_op.add_column(sa.Column('updated_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_households_updated_by_id_users'),
                                    'users', ['updated_by_id'], ['id'])
        batch_op.add_column(sa.Column('indicator_results', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('rules_version', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('below_income_line', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.create_index(batch_op.f('ix_households_below_income_line'),
                              ['below_income_line'], unique=False)
        batch_op.alter_column('income_total', existing_type=sa.BigInteger(), nullable=True)
        batch_op.alter_column('expense_total', existing_type=sa.BigInteger(), nullable=True)

    bind = op.get_bind()
    households = sa.table('households', sa.column('id', sa.String), sa.column('round_year'),
                          sa.column('applicable_mask'), sa.column('passed_mask'),
                          sa.column('incomplete_mask'), sa.column('income_per_person'),
                          sa.column('indicator_results', sa.JSON),
                          sa.column('rules_version', sa.String),
                          sa.column('below_income_line', sa.Boolean))
    rounds = dict(bind.execute(sa.text('SELECT year, income_line FROM survey_rounds')).all())
    for row in bind.execute(sa.select(households)).all():
        per_person = row.income_per_person
        bind.execute(households.update().where(households.c.id == row.id).values(
            indicator_results=_results_from_masks(row.applicable_mask, row.passed_mask,
                                                  row.incomplete_mask),
            rules_version="2560-2564/0",
            below_income_line=per_person is not None and per_person < rounds[row.round_year]))
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.alter_column('indicator_results', existing_type=sa.JSON(), nullable=False)
        batch_op.alter_column('rules_version', existing_type=sa.String(length=40),
                              nullable=False)

    op.create_table('household_history',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('household_id', sa.String(length=36), nullable=False),
    sa.Column('round_year', sa.Integer(), nullable=False),
    sa.Column('village_code', sa.String(length=8), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_role', sa.String(length=32), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_household_history_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_household_history_household_id_households'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_household_history'))
    )
    with op.batch_alter_table('household_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_household_history_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_household_history_village_code'), ['village_code'], unique=False)

    with op.batch_alter_table('village_rollups', schema=None) as batch_op:
        for name in ('income_households', 'income_people', 'expense_households',
                     'expense_people'):
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=False,
                                          server_default='0'))
    op.execute('UPDATE village_rollups SET income_households = households, '
               'income_people = people, expense_households = households, '
               'expense_people = people')


def downgrade():
    with op.batch_alter_table('village_rollups', schema=None) as batch_op:
        for name in ('expense_people', 'expense_households', 'income_people',
                     'income_households'):
            batch_op.drop_column(name)

    with op.batch_alter_table('household_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_household_history_village_code'))
        batch_op.drop_index(batch_op.f('ix_household_history_household_id'))
    op.drop_table('household_history')

    op.execute('UPDATE households SET income_total = 0 WHERE income_total IS NULL')
    op.execute('UPDATE households SET expense_total = 0 WHERE expense_total IS NULL')
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lao_code', sa.String(length=10), nullable=True))
    op.execute('UPDATE households SET lao_code = (SELECT areas.lao_code FROM areas '
               'WHERE areas.code = households.village_code)')
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.alter_column('lao_code', existing_type=sa.String(length=10), nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_households_lao_code_laos'), 'laos',
                                    ['lao_code'], ['code'])
        batch_op.create_index(batch_op.f('ix_households_lao_code'), ['lao_code'], unique=False)
        batch_op.alter_column('expense_total', existing_type=sa.BigInteger(), nullable=False)
        batch_op.alter_column('income_total', existing_type=sa.BigInteger(), nullable=False)
        batch_op.drop_index(batch_op.f('ix_households_below_income_line'))
        batch_op.drop_column('below_income_line')
        batch_op.drop_column('rules_version')
        batch_op.drop_column('indicator_results')
        batch_op.drop_constraint(batch_op.f('fk_households_updated_by_id_users'),
                                 type_='foreignkey')
        batch_op.drop_column('updated_by_id')

    op.drop_table('login_throttles')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(timezone=True),
                                      nullable=True))
