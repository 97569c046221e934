"""The rollup on Spark, for ledgers past one machine: the definition's SQL, transpiled by sqlglot.

Local mode (`local[*]`) by default; `--spark-master` names a cluster (`spark://`, `yarn`, ...) or a
Spark Connect server (`sc://`). The session runs in UTC so dates do not shift, and only the
aggregate (periods x streams x counterparties) comes back to the driver.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from functools import cache
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from analytics.errors import AnalyticsError, InputError, Location
from analytics.ledger.definition import AGGREGATE_COLUMNS, AGGREGATE_TABLE, YEAR_PARTITION
from analytics.ledger.engines import arrow_schema
from analytics.sql.sandbox import first_line

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa
    from pyspark.sql import SparkSession

INSTALL_HINT = "the spark engine needs pyspark and sqlglot: pip install 'analytics[spark]'"
DEFAULT_MASTER = "local[*]"
CONNECT_HINT = " (Spark Connect also needs: pip install 'pyspark[connect]')"
#: SQL settings, which Spark Connect takes too: UTC so dates do not shift.
SESSION_SETTINGS = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.parquet.inferTimestampNTZ.enabled": "true",
}
#: Settings for a driver this process starts (not under Spark Connect or spark-submit).
DRIVER_SETTINGS = {"spark.ui.showConsoleProgress": "false"}
#: Spark's own start-up chatter (log4j at INFO/WARN) off the CLI's stderr: errors only.
QUIET_LOG4J = """rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n%ex
"""
#: Spark's simple type names in DuckDB's words, so one set of checks reads both engines.
_TYPES = {
    "date": "DATE",
    "timestamp": "TIMESTAMP WITH TIME ZONE",
    "timestamp_ntz": "TIMESTAMP",
    "string": "VARCHAR",
    "tinyint": "TINYINT",
    "smallint": "SMALLINT",
    "int": "INTEGER",
    "bigint": "BIGINT",
    "float": "FLOAT",
    "double": "DOUBLE",
    "boolean": "BOOLEAN",
}


@cache
def to_spark_sql(duckdb_sql: str) -> str:
    """The definition's DuckDB SQL in Spark's dialect (`$name` parameters become `:name`)."""
    import sqlglot

    return str(sqlglot.transpile(duckdb_sql, read="duckdb", write="spark")[0])


def duckdb_type(spark_type: str) -> str:
    """`decimal(18,2)` -> `DECIMAL(18,2)`, `string` -> `VARCHAR`; unknown types upper-cased."""
    return _TYPES.get(spark_type, spark_type.upper())


class SparkLedger:
    """A ledger read by Spark as the temp view `ledger`."""

    name = "spark"
    file_column = "input_file_name()"
    id_bitmap_bits = 0  # Spark SQL has no BITSTRING_AGG: repeated ids are counted by hashing

    def __init__(self, ledger: str, master: str | None = None) -> None:
        self.label = ledger
        self.master = master
        self.session: SparkSession | None = None
        self._owned = False
        self.partitioned_by_year = False
        self.partitions_listed = False  # Spark skips partitions by the filters
        self._scratch: Path | None = None

    def __enter__(self) -> SparkLedger:
        try:
            import pyspark  # noqa: F401
            import sqlglot  # noqa: F401
        except ImportError:
            raise AnalyticsError(INSTALL_HINT) from None
        self.session, self._owned = self._start()
        try:
            self._create_view(self.session)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self.session is not None and self._owned:
            self.session.stop()
        self.session = None
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)

    def _start(self) -> tuple[SparkSession, bool]:
        """The active session when there is one and no master was asked for, else a new one."""
        from pyspark.sql import SparkSession

        active = SparkSession.getActiveSession()
        if active is not None and self.master is None:
            active.conf.set("spark.sql.session.timeZone", "UTC")  # dates must not shift
            return active, False
        builder, master = self._builder()
        try:
            session = builder.getOrCreate()
        except Exception as error:  # Java missing, master unreachable: one line, not a trace
            hint = CONNECT_HINT if master.startswith("sc://") else ""
            raise AnalyticsError(f"Spark could not start ({master}): {first_line(error)}{hint}") from None
        session.conf.set("spark.sql.session.timeZone", "UTC")
        return session, True

    def _builder(self) -> tuple[Any, str]:
        """Local mode by default; `sc://` is Spark Connect; under spark-submit, its master."""
        from pyspark.sql import SparkSession

        builder = SparkSession.builder.appName("analytics ledger rollup")
        settings = dict(SESSION_SETTINGS)
        if self.master is None and os.environ.get("PYSPARK_GATEWAY_PORT"):
            master = "the master spark-submit was given"  # its JVM runs already: keep its conf
        elif (self.master or "").startswith("sc://"):
            master = str(self.master)
            builder = builder.remote(master)
        else:
            master = self.master or DEFAULT_MASTER
            builder = builder.master(master)
            settings |= {**DRIVER_SETTINGS, **self._quiet_driver(master)}
        for key, value in settings.items():
            builder = builder.config(key, value)
        return builder, master

    def _quiet_driver(self, master: str) -> dict[str, str]:
        """A local driver JVM logs errors only (its log4j file lives in a private temp folder)."""
        if not master.startswith("local"):
            return {}
        self._scratch = Path(tempfile.mkdtemp(prefix="analytics-ledger-spark-"))
        config = self._scratch / "log4j2.properties"
        config.write_text(QUIET_LOG4J, encoding="utf-8")
        return {"spark.driver.extraJavaOptions": f"-Dlog4j2.configurationFile={config.as_uri()}"}

    def _create_view(self, session: SparkSession) -> None:
        try:
            frame = session.read.parquet(self.label)
            frame.createOrReplaceTempView("ledger")
            self.partitioned_by_year = any(re.search(YEAR_PARTITION, f) for f in frame.inputFiles())
        except Exception as error:
            raise InputError(
                f"Spark cannot read the ledger: {first_line(error)}", Location(self.label)
            ) from None

    def _session(self) -> SparkSession:
        assert self.session is not None, "open the ledger first (with SparkLedger(...))"
        return self.session

    def columns(self) -> dict[str, str]:
        schema = self._session().table("ledger").schema
        return {f.name.lower(): duckdb_type(f.dataType.simpleString()) for f in schema.fields}

    def aggregate(self, sql: str, params: dict[str, Any]) -> pa.Table:
        import pyarrow as pa

        rows = self.rows(sql, params)
        names = [name for name, _ in AGGREGATE_COLUMNS]
        records = [dict(zip(names, row, strict=True)) for row in rows]
        return pa.Table.from_pylist(records, schema=arrow_schema(AGGREGATE_COLUMNS))

    def aggregate_into(self, db: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any]) -> None:
        """The aggregate, collected to the driver, as `db`'s table AGGREGATE_TABLE."""
        db.register(AGGREGATE_TABLE, self.aggregate(sql, params))

    def rows(self, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        try:
            frame = self._session().sql(to_spark_sql(sql), args=self._arguments(params))
            return [tuple(row) for row in frame.collect()]
        except Exception as error:
            raise AnalyticsError(f"Spark failed on the ledger {self.label}: {first_line(error)}") from None

    @staticmethod
    def _arguments(params: dict[str, Any]) -> dict[str, Any]:
        """Bound parameters as Spark takes them: a list becomes an array literal."""
        from pyspark.sql import functions

        return {
            name: functions.array(*map(functions.lit, value)) if isinstance(value, list) else value
            for name, value in params.items()
        }
