"""The client search's indexes, on PostgreSQL only; on SQLite this migration does nothing
and the search scans the table (fine at a centre's or a small network's size).

`ClientQuerySet.search` ORs, for each word, a name part, an identity number prefix and a
welfare file number. Each branch needs an index of its own, or the whole table is read:

- `UPPER(first_name) LIKE UPPER('%word%')` (Django's `icontains`): a pg_trgm GIN index on
  the same expression. Trigrams work on Persian letters under the C.UTF-8 ctype.
- the same for `last_name`;
- `id_number LIKE '0012%'` (`startswith`): a btree with `varchar_pattern_ops`, since under
  a collation other than C a plain btree cannot serve LIKE prefixes;
- `welfare_file_number = '…'`: the column's unique index already serves it.
"""

from django.db import migrations

INDEXES = {
    # search: UPPER(first_name) LIKE UPPER('%word%')
    "client_first_name_trgm": "USING gin (UPPER(first_name) gin_trgm_ops)",
    # search: UPPER(last_name) LIKE UPPER('%word%')
    "client_last_name_trgm": "USING gin (UPPER(last_name) gin_trgm_ops)",
    # search, lookup by national code or card number: id_number LIKE '0012%'
    "client_id_number_prefix": "(id_number varchar_pattern_ops)",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON clients_client {definition}")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("clients", "0010_client_list_indexes")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
