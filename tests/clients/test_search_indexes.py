"""On PostgreSQL the client search is served by indexes made for its exact SQL
(migration clients 0011): were Django to write the lookups differently, or the indexes to
change, the search would read the whole table again at national scale. SQLite has none of
them and scans."""

import pytest
from django.db import connection
from django_scopes import scopes_disabled

from clients.models import Client
from tests.factories import ClientFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

SEARCH_INDEXES = {"client_first_name_trgm", "client_last_name_trgm", "client_id_number_prefix"}


def plan(queryset) -> str:
    """The plan PostgreSQL picks when it may neither read the table from start to end nor
    walk an index in order: it ORs one bitmap per branch of the search, which it can only
    do when every branch has an index."""
    sql, params = queryset.order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_search_indexes_are_there():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'clients_client'")
        assert {row[0] for row in cursor.fetchall()} >= SEARCH_INDEXES


@pytest.mark.parametrize(
    ("text", "index"),
    [
        ("کریمی", "client_last_name_trgm"),
        ("کریمی", "client_first_name_trgm"),
        ("0012345", "client_id_number_prefix"),
    ],
)
def test_each_branch_of_the_search_has_its_index(centre, text, index):
    ClientFactory(centre=centre, last_name="کریمی")
    with scopes_disabled():
        assert index in plan(Client.objects.search(text))
