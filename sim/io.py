"""Writing files so that a reader never sees half of one: a temporary name in the same folder, then a rename."""

from __future__ import annotations

import json
import os
import socket
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

FILE_MODE = 0o644  # mkstemp makes files private; results are meant to be shared
HOST = socket.gethostname()


def temporary_file(target: Path) -> tuple[int, str]:
    """A temporary file next to ``target`` whose name says which process writes it.

    Named ``.<name>~<host>~<pid>~<random>.tmp``: a file whose process is gone is known stale at once, even
    when it is empty (a writer killed before its first byte); :func:`sim.experiment.store.clean_temporary`
    removes those.
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}~{HOST}~{os.getpid()}~", suffix=".tmp", dir=target.parent)
    os.chmod(tmp, FILE_MODE)
    return fd, tmp


def with_path(exc: BaseException, target: Path) -> BaseException:
    """An OSError that names the file being written (a failed write() names none); other errors as they are."""
    if isinstance(exc, OSError) and exc.filename is None:
        return OSError(exc.errno, exc.strerror or str(exc), str(target))
    return exc


def write_atomic(target: str | Path, write: Callable[[Any], None], binary: bool = True, sync: bool = False) -> Path:
    """Write ``target`` through ``write(file_object)`` under a temporary name, then rename it into place.

    Args:
        target: the final path.
        write: called with the open temporary file.
        binary: open the file in binary mode (else text, UTF-8).
        sync: flush the data to disk before the rename (for files other processes will trust).

    Returns:
        The target path.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = temporary_file(target)
    try:
        with os.fdopen(fd, "wb" if binary else "w", **({} if binary else {"encoding": "utf-8"})) as fh:
            write(fh)
            if sync:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        raise with_path(exc, target) from None
    return target


def write_text_atomic(target: str | Path, text: str) -> Path:
    """A text file, atomically."""
    return write_atomic(target, lambda fh: fh.write(text), binary=False)


def write_json_atomic(target: str | Path, data: Any) -> Path:
    """A JSON file (UTF-8, indented), atomically."""
    return write_text_atomic(target, json.dumps(data, indent=2, ensure_ascii=False, default=str))


def write_parquet_atomic(target: str | Path, df, meta: dict[str, bytes] | None = None, sync: bool = False) -> Path:
    """A DataFrame (or a pyarrow Table) as Parquet, with extra schema metadata, atomically."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = df if isinstance(df, pa.Table) else pa.Table.from_pandas(df, preserve_index=False)
    if meta:
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), **meta})
    return write_atomic(target, lambda fh: pq.write_table(table, fh), sync=sync)


def write_csv_atomic(target: str | Path, df) -> Path:
    """A DataFrame as CSV without its index, atomically."""
    return write_text_atomic(target, df.to_csv(index=False))
