"""Hot read queries built through the ORM once per process, then run with new values.

Building and compiling a queryset cost about 1.4 ms of CPU a query on the article page, ten
times what the database took to answer the neighbour lookups, which seek in an index. A
prepared query is built by an ordinary function returning a queryset, so the rules stay
where they are (Article.objects.published() and the rest); it is built once with stand-in
values, and each run puts the real values where the stand-ins went.

Everything here that leans on Django's compiler (as_sql, select, converters) is in this
module, tested on both databases by tests/test_prepared.py.
"""

import threading
from datetime import UTC, datetime, timedelta

from django.db import connections

# Stand-ins no real value takes: second k after 1901-01-01 UTC, and -1,999,000,000 - k (in
# the range of a 32-bit column: Django turns a lookup past a column's range into no query).
_EPOCH = datetime(1901, 1, 1, tzinfo=UTC)
_BASE_INT = -1_999_000_000


class _StandIns:
    def __init__(self):
        self.count = 0

    def make(self, value):
        self.count += 1
        if isinstance(value, datetime):
            return _EPOCH + timedelta(seconds=self.count)
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"prepared queries take datetimes, ints or lists of ints: {value!r}")
        return _BASE_INT - self.count


def _shape(values):
    """What the compiled SQL depends on besides the values: their types and list lengths."""
    return tuple(
        (list, len(value)) if isinstance(value, (list, tuple)) else type(value) for value in values
    )


def _flatten(values):
    for value in values:
        if isinstance(value, (list, tuple)):
            yield from value
        else:
            yield value


class Compiled:
    """One shape of a prepared query: its SQL, where each value goes, how rows convert."""

    def __init__(self, build, values, connection):
        stand_ins = _StandIns()
        built = [
            [stand_ins.make(v) for v in value]
            if isinstance(value, (list, tuple))
            else stand_ins.make(value)
            for value in values
        ]
        queryset = build(*built)
        compiler = queryset.query.get_compiler(connection=connection)
        self.sql, params = compiler.as_sql()
        slots = {self._adapt(connection, stand_in): n for n, stand_in in enumerate(_flatten(built))}
        # A parameter is either one of the values (by position in the flattened values) or a
        # constant of the query (a status, a content type id), kept as compiled.
        self.params = [
            (slots[p], None) if _hashable(p) and p in slots else (None, p) for p in params
        ]
        missing = set(slots.values()) - {slot for slot, _ in self.params}
        if missing:
            raise ValueError(f"prepared query lost values {sorted(missing)}: {self.sql}")
        self.model = queryset.model
        self.columns = [column.target.attname for column, _, _ in compiler.select]
        expressions = [column for column, _, _ in compiler.select]
        self.converters = list(compiler.get_converters(expressions).items())

    @staticmethod
    def _adapt(connection, value):
        if isinstance(value, datetime):
            return connection.ops.adapt_datetimefield_value(value)
        return value

    def rows(self, connection, values):
        flat = [self._adapt(connection, v) for v in _flatten(values)]
        params = [flat[slot] if slot is not None else constant for slot, constant in self.params]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        if not self.converters:
            return rows
        converted = []
        for row in rows:
            row = list(row)
            for position, (functions, expression) in self.converters:
                for function in functions:
                    row[position] = function(row[position], expression, connection)
            converted.append(tuple(row))
        return converted


def _hashable(value):
    try:
        hash(value)
    except TypeError:
        return False
    return True


class Prepared:
    """`build(*values)` -> a queryset; calling the Prepared runs it with new values.

    Values are datetimes, ints and lists of ints (a list's length is part of the query's
    shape, so each length is compiled once). The queryset may filter, order, slice and pick
    fields with only() or values_list(); what it reads is returned as tuples (.rows) or as
    model instances with only those fields loaded (.objects).
    """

    def __init__(self, build, using="default"):
        self.build, self.using = build, using
        self.shapes = {}
        self.lock = threading.Lock()

    def compiled(self, values):
        connection = connections[self.using]
        key = (connection.vendor, _shape(values))
        found = self.shapes.get(key)
        if found is None:
            with self.lock:
                found = self.shapes[key] = Compiled(self.build, values, connection)
        return connection, found

    def rows(self, *values):
        connection, compiled = self.compiled(values)
        return compiled.rows(connection, values)

    def objects(self, *values):
        connection, compiled = self.compiled(values)
        model, columns = compiled.model, compiled.columns
        rows = compiled.rows(connection, values)
        return [model.from_db(self.using, columns, row) for row in rows]
