"""The results store: one DuckDB file per exploration, each finished chunk committed in one transaction.

Tables: `brink_meta` (format marker, schema version), `provenance` (one row: what was explored and how),
`experiments` (the sampled inputs, one row per experiment), `outcomes` (one row per experiment x
strategy), `chunks` (the ledger of committed chunks, used to resume).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import stat
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from brinkmanship.errors import InputError

FORMAT = "brinkmanship-results"
SCHEMA_VERSION = 1
# provenance fields that must match for a command to resume or extend a store
IDENTITY: tuple[str, ...] = (
    "package_version", "model", "scenario_hash", "strategies", "strategy_hashes", "seed", "sampler",
    "n_samples", "n_experiments", "runs", "adversary", "parameters",
)
_PROV_TYPES: dict[str, str] = {
    "package_version": "VARCHAR", "model": "VARCHAR", "scenario_hash": "VARCHAR", "strategies": "VARCHAR",
    "strategy_hashes": "VARCHAR", "seed": "BIGINT", "sampler": "VARCHAR", "n_samples": "BIGINT",
    "n_experiments": "BIGINT", "runs": "BIGINT", "adversary": "VARCHAR", "parameters": "VARCHAR",
    "outcome_names": "VARCHAR", "created_at": "TIMESTAMP", "updated_at": "TIMESTAMP", "finished_at": "TIMESTAMP",
}
_JSON_FIELDS = ("strategies", "strategy_hashes", "parameters", "outcome_names")
_DUCKDB_MAGIC = b"DUCK"
_FIX_CORRUPT = "the file is corrupt; re-run the exploration into a new file"
F = TypeVar("F", bound=Callable[..., Any])


def _first_line(exc: BaseException) -> str:
    """The first non-empty line of an error message (DuckDB's span several lines)."""
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
    return lines[0] if lines else type(exc).__name__


def _corrupt(path: Path, exc: BaseException) -> InputError:
    return InputError(f"cannot be read ({type(exc).__name__}: {_first_line(exc)})", file=str(path), fix=_FIX_CORRUPT)


def _reads(method: F) -> F:
    """A store read whose DuckDB failure (a damaged file) becomes one `InputError` naming the file and the fix."""

    @functools.wraps(method)
    def wrapper(self: ResultsStore, *args: Any, **kwargs: Any) -> Any:
        import duckdb

        try:
            return method(self, *args, **kwargs)
        except duckdb.Error as exc:
            if _interrupted(exc):
                raise KeyboardInterrupt from exc
            raise _corrupt(self.path, exc) from exc

    return wrapper  # type: ignore[return-value]


def quote(name: str) -> str:
    """A SQL identifier for any column name (dotted parameter names included)."""
    return '"' + name.replace('"', '""') + '"'


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def _sql_type(kind: str) -> str:
    return {"real": "DOUBLE", "integer": "BIGINT", "categorical": "VARCHAR"}[kind]


def _rollback(con: Any) -> None:
    """Roll back the open transaction, if any (an interrupted COMMIT may already have ended it)."""
    import duckdb

    try:
        con.rollback()
    except duckdb.TransactionException:
        pass


def _interrupted(exc: BaseException) -> bool:
    import duckdb

    return isinstance(exc, duckdb.InterruptException) or "Query interrupted" in str(exc)


def _check_file(path: Path) -> None:
    """Refuse files that are not DuckDB databases before DuckDB touches them."""
    if path.is_dir():
        raise InputError("is a directory, not a results store", file=str(path), fix="give a .duckdb file path")
    with path.open("rb") as fh:
        head = fh.read(16)
    if len(head) < 12 or head[8:12] != _DUCKDB_MAGIC:
        raise InputError("is not a DuckDB results store (no DuckDB header)", file=str(path),
                         fix="give a store written by `brink explore`, or a new file name")


class ResultsStore:
    """An open results store (use `open_store`)."""

    def __init__(self, path: Path, con: Any, created: bool = False) -> None:
        self.path = path
        self.con = con
        self.created = created  # the file did not exist before this store was opened
        self.chunks_committed = 0  # chunks committed through this connection

    def discard(self) -> None:
        """Close; delete the file (and its WAL) when this run created it and committed no chunk to it.

        So a command refused or interrupted before its first result leaves nothing behind that would make
        the corrected command refuse; a file that existed before is never deleted.
        """
        self.close()
        if self.created and not self.chunks_committed:
            for p in (self.path, self.path.with_name(self.path.name + ".wal")):
                p.unlink(missing_ok=True)

    # ---- lifecycle -------------------------------------------------------------------------------------
    def close(self) -> None:
        """Close the connection (commits nothing that is not already committed)."""
        if self.con is not None:
            self.con.close()
            self.con = None

    def __enter__(self) -> ResultsStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @_reads
    def _tables(self) -> set[str]:
        rows = self.con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema='main'").fetchall()
        return {r[0] for r in rows}

    def _validate_schema(self) -> bool:
        """True when the file holds our schema; False when it is an empty DuckDB file; raises otherwise."""
        tables = self._tables()
        if not tables:
            return False
        if "brink_meta" not in tables:
            raise InputError("is a DuckDB file without the brinkmanship results schema (a foreign database)",
                             file=str(self.path), fix="give a store written by `brink explore`, or a new file name")
        meta = dict(self.con.execute("SELECT key, value FROM brink_meta").fetchall())
        if meta.get("format") != FORMAT:
            raise InputError(f"has format marker '{meta.get('format')}', not '{FORMAT}'", file=str(self.path),
                             fix="give a store written by `brink explore`, or a new file name")
        if meta.get("schema_version") != str(SCHEMA_VERSION):
            raise InputError(f"has schema version {meta.get('schema_version')}, this brinkmanship reads "
                             f"version {SCHEMA_VERSION}", file=str(self.path),
                             fix="re-run the exploration into a new file")
        missing = {"provenance", "experiments", "outcomes", "chunks"} - tables
        if missing:
            raise InputError(f"is missing table(s) {', '.join(sorted(missing))}", file=str(self.path),
                             fix="the store is damaged; re-run the exploration into a new file")
        return True

    @property
    def initialised(self) -> bool:
        """Whether the schema and provenance have been written."""
        return "brink_meta" in self._tables()

    # ---- creation --------------------------------------------------------------------------------------
    def initialise(self, provenance: Mapping[str, Any], parameters: Sequence[Any],
                   inputs: Mapping[str, np.ndarray], outcome_names: Sequence[str]) -> None:
        """Create the schema, the provenance row and every experiment's inputs in one transaction."""
        import pyarrow as pa

        con = self.con
        con.begin()
        try:
            con.execute("CREATE TABLE brink_meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
            con.execute("INSERT INTO brink_meta VALUES ('format', ?), ('schema_version', ?)",
                        [FORMAT, str(SCHEMA_VERSION)])
            cols = ", ".join(f"{k} {t}" for k, t in _PROV_TYPES.items())
            con.execute(f"CREATE TABLE provenance ({cols})")
            row = dict(provenance)
            now = _now()
            row.setdefault("created_at", now)
            row["updated_at"] = now
            row["finished_at"] = None
            row["outcome_names"] = list(outcome_names)
            values = [json.dumps(row[k], sort_keys=True) if k in _JSON_FIELDS else row.get(k) for k in _PROV_TYPES]
            con.execute(f"INSERT INTO provenance VALUES ({', '.join('?' * len(values))})", values)

            pcols = ", ".join(f"{quote(p.name)} {_sql_type(p.kind)}" for p in parameters)
            con.execute(f"CREATE TABLE experiments (experiment_id BIGINT PRIMARY KEY{', ' if pcols else ''}{pcols})")
            n = len(next(iter(inputs.values()))) if inputs else 0
            arrays = {"experiment_id": pa.array(np.arange(n, dtype=np.int64))}
            for p in parameters:
                v = inputs[p.name]
                arrays[p.name] = pa.array(v.astype(str) if p.kind == "categorical" else v)
            con.register("_brink_inputs", pa.table(arrays))
            names = ", ".join(quote(k) for k in arrays)
            con.execute(f"INSERT INTO experiments ({names}) SELECT {names} FROM _brink_inputs")
            con.unregister("_brink_inputs")

            ocols = ", ".join(f"{quote(o)} DOUBLE" for o in outcome_names)
            con.execute(f"CREATE TABLE outcomes (experiment_id BIGINT, strategy VARCHAR, {ocols}, "
                        "PRIMARY KEY (strategy, experiment_id))")
            con.execute("CREATE TABLE chunks (strategy VARCHAR, start BIGINT, stop BIGINT, runs BIGINT, "
                        "seconds DOUBLE, committed_at TIMESTAMP, PRIMARY KEY (strategy, start))")
            con.commit()
        except BaseException:
            _rollback(con)
            raise

    # ---- provenance ------------------------------------------------------------------------------------
    @_reads
    def provenance(self) -> dict[str, Any]:
        """The provenance row as a dict (JSON fields decoded)."""
        cur = self.con.execute("SELECT * FROM provenance")
        names = [d[0] for d in cur.description]
        rows = cur.fetchall()
        row = rows[0] if rows else None
        if row is None:
            raise InputError("has no provenance row", file=str(self.path),
                             fix="the store is damaged; re-run the exploration into a new file")
        out = dict(zip(names, row, strict=True))
        for k in _JSON_FIELDS:
            if out.get(k) is not None:
                out[k] = json.loads(out[k])
        return out

    def check_provenance(self, expected: Mapping[str, Any]) -> None:
        """Refuse a command whose exploration differs from the one this store holds."""
        have = self.provenance()
        diffs = []
        for k in IDENTITY:
            a, b = have.get(k), expected.get(k)
            if k in _JSON_FIELDS:
                a, b = json.dumps(a, sort_keys=True), json.dumps(b, sort_keys=True)
            if a != b:
                short = lambda v: (str(v)[:60] + "...") if len(str(v)) > 63 else str(v)  # noqa: E731
                diffs.append(f"{k} is {short(have.get(k))} in the store but {short(expected.get(k))} now")
        if diffs:
            raise InputError("holds a different exploration: " + "; ".join(diffs), file=str(self.path),
                             field="provenance",
                             fix="repeat the original command to resume it, or write to a new --db file")

    def mark_finished(self) -> None:
        """Stamp the completion time."""
        now = _now()
        self.con.execute("UPDATE provenance SET updated_at = ?, finished_at = ?", [now, now])

    # ---- chunks ----------------------------------------------------------------------------------------
    @_reads
    def done_masks(self, n_experiments: int, strategies: Sequence[str]) -> dict[str, np.ndarray]:
        """Per strategy, which experiments are already committed (from the chunk ledger)."""
        masks = {s: np.zeros(n_experiments, dtype=bool) for s in strategies}
        for s, a, b in self.con.execute("SELECT strategy, start, stop FROM chunks").fetchall():
            if s in masks:
                masks[s][a:b] = True
        return masks

    def commit_chunk(self, strategy: str, start: int, stop: int, runs: int,
                     outputs: Mapping[str, np.ndarray], seconds: float = 0.0) -> None:
        """Write one chunk's outcomes and its ledger entry atomically (all or nothing)."""
        import pyarrow as pa

        n = stop - start
        arrays: dict[str, Any] = {
            "experiment_id": pa.array(np.arange(start, stop, dtype=np.int64)),
            "strategy": pa.array([strategy] * n, type=pa.string()),
        }
        for k, v in outputs.items():
            arrays[k] = pa.array(np.asarray(v, dtype=np.float64))
        con = self.con
        con.begin()
        try:
            con.register("_brink_chunk", pa.table(arrays))
            names = ", ".join(quote(k) for k in arrays)
            con.execute(f"INSERT INTO outcomes ({names}) SELECT {names} FROM _brink_chunk")
            con.unregister("_brink_chunk")
            con.execute("INSERT INTO chunks VALUES (?, ?, ?, ?, ?, ?)", [strategy, start, stop, runs, seconds, _now()])
            con.execute("UPDATE provenance SET updated_at = ?", [_now()])
            con.commit()
            self.chunks_committed += 1
        except BaseException as exc:
            _rollback(con)
            if _interrupted(exc):  # Ctrl-C during a DuckDB statement: report it as the interrupt it is
                raise KeyboardInterrupt from exc
            raise

    # ---- reading ---------------------------------------------------------------------------------------
    def parameters(self) -> list[Any]:
        """The explored parameters (as `Uncertainty` objects)."""
        from brinkmanship.explore.parameters import Uncertainty

        return [Uncertainty.from_dict(d) for d in self.provenance()["parameters"]]

    @_reads
    def inputs(self) -> dict[str, np.ndarray]:
        """The sampled inputs, one array per parameter, in experiment-id order."""
        params = self.parameters()
        if not params:
            return {}
        cols = ", ".join(quote(p.name) for p in params)
        tbl = self.con.sql(f"SELECT {cols} FROM experiments ORDER BY experiment_id").to_arrow_table()
        out = {}
        for p in params:
            arr = tbl.column(p.name).to_numpy(zero_copy_only=False)
            if p.kind == "categorical":  # stored as text: map back to the declared category values
                cats = {str(c): c for c in p.categories}
                vals, inv = np.unique(np.asarray(arr).astype(str), return_inverse=True)
                arr = np.array([cats.get(v, v) for v in vals], dtype=object)[inv]
            out[p.name] = arr
        return out

    @_reads
    def experiments_frame(self) -> Any:
        """The experiments table as a pandas DataFrame (experiment_id as index)."""
        return self.con.execute("SELECT * FROM experiments ORDER BY experiment_id").df().set_index("experiment_id")

    @_reads
    def outcomes_frame(self, strategy: str | None = None) -> Any:
        """The outcomes table (optionally one strategy) as a pandas DataFrame, ordered by strategy and id."""
        if strategy is None:
            return self.con.execute("SELECT * FROM outcomes ORDER BY strategy, experiment_id").df()
        return self.con.execute("SELECT * FROM outcomes WHERE strategy = ? ORDER BY experiment_id",
                                [strategy]).df()

    def outcome_names(self) -> list[str]:
        """Names of the outcome columns."""
        return list(self.provenance()["outcome_names"])

    def strategies(self) -> list[str]:
        """Strategies of the exploration, in its order."""
        return list(self.provenance()["strategies"])

    @_reads
    def outcome_matrix(self, names: Sequence[str]) -> tuple[np.ndarray, list[str], dict[str, np.ndarray]]:
        """Experiments complete for every strategy: (ids, strategies, {outcome: array (n_ids, n_strategies)})."""
        strategies = self.strategies()
        known = set(self.outcome_names())
        for nm in names:
            if nm not in known:
                raise InputError(f"unknown outcome '{nm}'", file=str(self.path), field="outcome",
                                 fix=f"use one of: {', '.join(sorted(known))}")
        cols = ", ".join(quote(n) for n in names)
        df = self.con.execute(f"SELECT experiment_id, strategy, {cols} FROM outcomes").df()
        counts = df.groupby("experiment_id")["strategy"].nunique()
        full = np.sort(counts.index[counts.to_numpy() == len(strategies)].to_numpy())
        df = df[df["experiment_id"].isin(full)]
        out = {}
        for nm in names:
            wide = df.pivot(index="experiment_id", columns="strategy", values=nm)
            wide = wide.reindex(index=full, columns=strategies)
            out[nm] = wide.to_numpy(dtype=np.float64)
        return full.astype(np.int64), strategies, out

    @_reads
    def ledger(self) -> list[tuple[str, int, int]]:
        """Committed chunks as (strategy, start, stop), sorted."""
        return [tuple(r) for r in self.con.execute(
            "SELECT strategy, start, stop FROM chunks ORDER BY strategy, start").fetchall()]

    @_reads
    def counts(self) -> dict[str, int]:
        """Row counts of the main tables."""
        return {t: int(self.con.execute(f"SELECT count(*) FROM {t}").fetchone()[0])
                for t in ("experiments", "outcomes", "chunks")}


def _check_path(path: Path, create: bool) -> bool:
    """Whether a store file exists at `path`; refuses anything but a regular file or a new name in a folder.

    FIFOs, devices, sockets and directories (also behind a symlink) are never opened, replaced or deleted.
    """
    try:
        st = path.stat()  # follows symlinks: a link to a device is judged as the device
    except FileNotFoundError:
        if path.is_symlink():
            raise InputError("is a symlink to nothing", file=str(path),
                             fix="give a regular file or a new file name") from None
        if not create:
            raise InputError("no such results store", file=str(path),
                             fix="run `brink explore ... --db FILE` first") from None
        if not path.parent.is_dir():
            raise InputError(f"folder {path.parent} does not exist", file=str(path),
                             fix="create the folder first, or give a path in an existing folder") from None
        return False
    except OSError as exc:
        raise InputError(f"cannot be read ({exc.strerror})", file=str(path),
                         fix="check the path and permissions") from exc
    if stat.S_ISDIR(st.st_mode):
        raise InputError("is a directory, not a results store", file=str(path), fix="give a .duckdb file path")
    if not stat.S_ISREG(st.st_mode):
        kind = "a FIFO" if stat.S_ISFIFO(st.st_mode) else "a device" if (
            stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode)) else "a socket" if stat.S_ISSOCK(
            st.st_mode) else "not a regular file"
        raise InputError(f"is {kind}, not a results store", file=str(path),
                         fix="give a regular file written by `brink explore`, or a new file name")
    return True


def open_store(path: str | Path, create: bool = False, read_only: bool = False) -> ResultsStore:
    """Open (or, with `create`, make) a results store, refusing corrupt, foreign, busy or special files.

    Nothing that exists is ever deleted or replaced: `create` makes a new file only at a new path.
    """
    import duckdb

    path = Path(path)
    exists = _check_path(path, create)
    if exists:
        if path.stat().st_size > 0:
            _check_file(path)
        else:  # DuckDB cannot start a database in an existing file, and it is not ours to delete
            raise InputError("is an empty file, not a results store", file=str(path),
                             fix="give a new file name (or delete the empty file yourself)")
    try:
        con = duckdb.connect(str(path), read_only=read_only and exists)
    except duckdb.IOException as exc:
        msg = _first_line(exc)
        if "lock" in msg.lower():
            raise InputError("is in use by another process", file=str(path),
                             fix="wait for the other exploration to finish or use another --db file") from exc
        raise InputError(f"cannot be opened as a DuckDB database ({msg})", file=str(path), fix=_FIX_CORRUPT) from exc
    except duckdb.Error as exc:
        raise InputError(f"cannot be opened as a DuckDB database ({_first_line(exc)})", file=str(path),
                         fix=_FIX_CORRUPT) from exc
    store = ResultsStore(path, con, created=not exists)
    try:
        ok = store._validate_schema()
    except InputError:
        store.close()
        raise
    except Exception as exc:  # a DuckDB file that fails on its first query is corrupt
        store.close()
        raise _corrupt(path, exc) from exc
    if not ok and not create:
        store.close()
        raise InputError("holds no exploration (empty DuckDB file)", file=str(path),
                         fix="run `brink explore ... --db FILE` first")
    return store
