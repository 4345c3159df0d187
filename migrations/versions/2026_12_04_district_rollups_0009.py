"""District rollups: one row per round and district with the sums of its village rollups,
kept by the same delta in the same transaction as the village row, so that a national
report sums 878 rows instead of 83,526 (and a province about 12 instead of 1,100). Every
total is kept twice: over all the district's villages, and over only those that are
small areas under the round's ``min_area_households`` (``small_…``), with the number of
small villages. The rows are filled from the village rows by one INSERT … SELECT; the
downgrade drops them (the village rows are unchanged).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

# Frozen here as they were when this revision was written (the models may grow).
COUNTERS = (('households', sa.Integer), ('returned_households', sa.Integer),
            ('partial_households', sa.Integer), ('people', sa.Integer),
            ('income_households', sa.Integer), ('income_people', sa.Integer),
            ('income_sum', sa.BigInteger), ('expense_households', sa.Integer),
            ('expense_people', sa.Integer), ('expense_sum', sa.BigInteger),
            ('below_income_line', sa.Integer))
INDICATORS = 31
SEXES = ('1', '2')
BANDS = tuple(str(b) for b in range(21)) + ('unknown',)
ITEMS = 4


def _totals() -> list[tuple[str, type]]:
    return (list(COUNTERS)
            + [(f'{count}_{n}', sa.Integer) for n in range(1, INDICATORS + 1)
               for count in ('applicable', 'passed', 'incomplete')]
            + [(f'people_{sex}_{band}', sa.Integer) for sex in SEXES for band in BANDS]
            + [(f'{kind}_item_{p}', sa.BigInteger) for kind in ('income', 'expense')
               for p in range(1, ITEMS + 1)])


def upgrade():
    totals = _totals()
    op.create_table(
        'district_rollups',
        sa.Column('round_year', sa.Integer(), nullable=False),
        sa.Column('district_code', sa.String(length=8), nullable=False),
        sa.Column('province_code', sa.String(length=2), nullable=False),
        sa.Column('revision', sa.BigInteger(), nullable=False),
        sa.Column('small_villages', sa.Integer(), nullable=False),
        *(sa.Column(column, kind(), nullable=False, server_default='0')
          for name, kind in totals for column in (name, f'small_{name}')),
        sa.ForeignKeyConstraint(['district_code'], ['areas.code'],
                                name=op.f('fk_district_rollups_district_code_areas')),
        sa.ForeignKeyConstraint(['round_year'], ['survey_rounds.year'],
                                name=op.f('fk_district_rollups_round_year_survey_rounds')),
        sa.PrimaryKeyConstraint('round_year', 'district_code', name=op.f('pk_district_rollups')))
    with op.batch_alter_table('district_rollups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_district_rollups_province_code'),
                              ['province_code'], unique=False)
    # The small-area rule of the reports: households > 0 and fewer than the threshold.
    small = 'v.households > 0 AND v.households < r.min_area_households'
    names = [name for name, _ in totals]
    op.execute(
        f"INSERT INTO district_rollups (round_year, district_code, province_code, revision, "
        f"small_villages, {', '.join(names)}, "
        f"{', '.join(f'small_{name}' for name in names)}) "
        f"SELECT v.round_year, substr(v.area_code, 1, 4), min(v.province_code), "
        f"sum(v.revision), sum(CASE WHEN {small} THEN 1 ELSE 0 END), "
        f"{', '.join(f'sum(v.{name})' for name in names)}, "
        f"{', '.join(f'sum(CASE WHEN {small} THEN v.{name} ELSE 0 END)' for name in names)} "
        f"FROM village_rollups v JOIN survey_rounds r ON r.year = v.round_year "
        f"GROUP BY v.round_year, substr(v.area_code, 1, 4)")


def downgrade():
    with op.batch_alter_table('district_rollups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_district_rollups_province_code'))
    op.drop_table('district_rollups')
