"""Rollup counts as plain integer columns: one per indicator count (applicable, passed,
incomplete), per sex and 5-year age band, and per income or expense item, instead of JSON
lists and maps, so that the database sums village rows for any area (a worker decoded
83,526 JSON rows in Python for its first national report). The JSON values are copied into
the columns by one UPDATE on each database, then dropped; downgrading rebuilds them.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

# Frozen here as they were when this revision was written (the models may grow).
INDICATORS = 31
COUNTS = {'applicable': 'indicator_applicable', 'passed': 'indicator_passed',
          'incomplete': 'indicator_incomplete'}
SEXES = ('1', '2')
BANDS = tuple(str(b) for b in range(21)) + ('unknown',)
# The item ids of each questionnaire version, in order: the position is the column.
ITEMS = {'2560-2564': {'income': ('22.1.1', '22.1.2', '22.1.3', '22.1.4'),
                       'expense': ('22.2.1', '22.2.2', '22.2.3', '22.2.4')}}
VERSION = '2560-2564'


def _indicator_columns():
    return [(f'{count}_{n}', json_column, n - 1) for n in range(1, INDICATORS + 1)
            for count, json_column in COUNTS.items()]


def _people_columns():
    return [(f'people_{sex}_{band}', sex, band) for sex in SEXES for band in BANDS]


def _item_columns():
    return [(f'{kind}_item_{p}', f'{kind}_items', item)
            for kind, items in ITEMS[VERSION].items() for p, item in enumerate(items, 1)]


def _extract(dialect: str, column: str, *path) -> str:
    """SQL reading one number out of a JSON column (0 when absent)."""
    if dialect == 'postgresql':
        steps = ''.join(f" -> {p}" if isinstance(p, int) else f" -> '{p}'" for p in path[:-1])
        last = path[-1] if isinstance(path[-1], int) else f"'{path[-1]}'"
        return f"COALESCE(({column}{steps} ->> {last})::bigint, 0)"
    steps = ''.join(f'[{p}]' if isinstance(p, int) else f'."{p}"' for p in path)
    return f"COALESCE(json_extract({column}, '${steps}'), 0)"


def _check_versions(bind) -> None:
    others = bind.execute(sa.text(
        'SELECT DISTINCT r.questionnaire_version FROM village_rollups v '
        'JOIN survey_rounds r ON r.year = v.round_year')).scalars().all()
    unknown = set(others) - set(ITEMS)
    if unknown:
        raise RuntimeError(f'rollups of questionnaire versions {unknown}: add their items')


def upgrade():
    bind = op.get_bind()
    _check_versions(bind)
    with op.batch_alter_table('village_rollups', schema=None) as batch_op:
        for name, _, _ in _indicator_columns() + _people_columns():
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=False,
                                          server_default='0'))
        for name, _, _ in _item_columns():
            batch_op.add_column(sa.Column(name, sa.BigInteger(), nullable=False,
                                          server_default='0'))
    dialect = bind.dialect.name
    assignments = (
        [f'{name} = {_extract(dialect, column, index)}'
         for name, column, index in _indicator_columns()]
        + [f'{name} = {_extract(dialect, "people_by_sex_age", sex, band)}'
           for name, sex, band in _people_columns()]
        + [f'{name} = {_extract(dialect, column, item)}'
           for name, column, item in _item_columns()])
    op.execute(f"UPDATE village_rollups SET {', '.join(assignments)}")
    with op.batch_alter_table('village_rollups', schema=None) as batch_op:
        for column in ('people_by_sex_age', *COUNTS.values(), 'income_items',
                       'expense_items'):
            batch_op.drop_column(column)


def _as_json(row) -> dict:
    """The JSON values of one row, as the code before this revision kept them (zeros
    left out of maps)."""
    people = {}
    for name, sex, band in _people_columns():
        if row[name]:
            people.setdefault(sex, {})[band] = row[name]
    values = {'people_by_sex_age': people}
    for count, column in COUNTS.items():
        values[column] = [row[f'{count}_{n}'] for n in range(1, INDICATORS + 1)]
    for kind in ITEMS[VERSION]:
        values[f'{kind}_items'] = {}
    for name, column, item in _item_columns():
        if row[name]:
            values[column][item] = row[name]
    return values


def downgrade():
    json_columns = ('people_by_sex_age', *COUNTS.values(), 'income_items', 'expense_items')
    with op.batch_alter_table('village_rollups', schema=None) as batch_op:
        for column in json_columns:
            batch_op.add_column(sa.Column(column, sa.JSON(), nullable=True))
    bind = op.get_bind()
    table = sa.table('village_rollups', sa.column('round_year'), sa.column('area_code'),
                     *(sa.column(c, sa.JSON()) for c in json_columns))
    rows = bind.execute(sa.text('SELECT * FROM village_rollups')).mappings().all()
    for row in rows:
        bind.execute(table.update().where(
            table.c.round_year == row['round_year'], table.c.area_code == row['area_code'])
            .values(**_as_json(row)))
    columns = [name for name, _, _ in _indicator_columns() + _people_columns()
               + _item_columns()]
    with op.batch_alter_table('village_rollups', schema=None) as batch_op:
        for column in json_columns:
            batch_op.alter_column(column, existing_type=sa.JSON(), nullable=False)
        for column in columns:
            batch_op.drop_column(column)
