"""Set-based writes the ORM has no verb for. ``insert_select``: rows made inside the database
from rows already there (INSERT … SELECT), so bulk work builds no Python object per row; the
SELECT is an ORM queryset (organization scoping and all), compiled by Django for the database in
use. ``copy_rows``: PostgreSQL's COPY for many new rows made in Python."""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import EmptyResultSet
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Aggregate, JSONField, QuerySet, Value
from django.db.models.expressions import Combinable


def insert_select(
    model: type[models.Model],
    source: QuerySet[Any],
    columns: dict[str, Any],
    *,
    ignore_conflicts: bool = False,
) -> int:
    """INSERT one ``model`` row per row of ``source``; ``columns`` maps each field name to an
    expression over ``source`` (``F(...)``, ``Cast(...)``, ``JSONObject(...)``) or a constant.
    A model instance stands for its id; a constant None leaves a nullable column NULL. ``ignore_conflicts``: rows that would break a
    unique constraint are skipped (ON CONFLICT DO NOTHING). Returns the number of rows inserted."""
    qn = connection.ops.quote_name
    names, annotations = [], {}
    for i, (name, value) in enumerate(columns.items()):
        field = cast(models.Field, model._meta.get_field(name))  # type: ignore[type-arg]
        if isinstance(value, models.Model):
            value = value.pk
        if value is None and field.null:
            continue
        alias = f"_col{i}"
        is_expression = isinstance(value, Combinable) or hasattr(value, "resolve_expression")
        annotations[alias] = value if is_expression else Value(value, output_field=field)
        names.append((cast(str, field.column), alias))
    select = source.order_by().annotate(**annotations).values(*annotations)
    try:
        sql, params = select.query.sql_with_params()
    except EmptyResultSet:  # e.g. pk__in=[]: nothing to insert
        return 0
    target = ", ".join(qn(column) for column, _alias in names)
    chosen = ", ".join(f"sel.{qn(alias)}" for _column, alias in names)
    # "WHERE true": SQLite needs it to parse INSERT … SELECT … ON CONFLICT.
    conflict = " WHERE true ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {qn(model._meta.db_table)} ({target}) SELECT {chosen} FROM ({sql}) AS sel{conflict}",  # noqa: S608 (Django's own SQL)
            params,
        )
        return cursor.rowcount


# Columns whose values, when exactly str / int / bool, the ORM would send unchanged; COPY takes
# them as they are. Anything else (JSON, datetimes, choices enums, ...) is prepared by its field.
_PLAIN = {
    "CharField",
    "TextField",
    "SlugField",
    "BooleanField",
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "PositiveBigIntegerField",
    "ForeignKey",
}


def copy_rows(model: type[models.Model], objs: list[Any]) -> bool:
    """On PostgreSQL, write new ``objs`` (unsaved, without ids) with one COPY: several times faster
    than a bulk INSERT, which escapes every value in Python. In a savepoint, so a duplicate key
    undoes it and returns False (the caller then inserts its own way, e.g. skipping conflicts);
    also False on other databases. Unlike ``bulk_create``, the objects' ids are not set."""
    if connection.vendor != "postgresql" or not objs:
        return False
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    plain = [f.get_internal_type() in _PLAIN for f in fields]
    qn = connection.ops.quote_name
    statement = f"COPY {qn(model._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) FROM STDIN"
    try:
        with (
            transaction.atomic(),
            connection.wrap_database_errors,  # psycopg's errors as Django's (IntegrityError)
            connection.cursor() as cursor,
            cursor.cursor.copy(statement) as copy,
        ):
            for obj in objs:
                row = []
                for field, as_is in zip(fields, plain, strict=True):
                    value = getattr(obj, field.attname)
                    if value is not None and not (as_is and type(value) in (str, int, bool)):
                        value = field.get_db_prep_save(value, connection)
                    row.append(value)
                copy.write_row(row)
    except IntegrityError:
        return False
    return True


class JSONArrayAgg(Aggregate):
    """A JSON array of the grouped values: json_group_array on SQLite, jsonb_agg on PostgreSQL. With
    a correlated subquery it folds a record's related rows into the record's own query."""

    function = "JSON_GROUP_ARRAY"
    output_field = JSONField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(compiler, connection, function="JSONB_AGG", **extra)
