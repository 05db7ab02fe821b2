"""`--workers N` / `--scheduler tcp://HOST:PORT`: the commands' runs on a Dask cluster, and output
written whole or not at all.

`route_on_cluster` is `powerlist route` on `powerlist.routing.parallel`: the same bytes as the
one-process run (JSONL and CSV come back from the workers as bytes, in file order; XLSX and the
table are made here from the workers' decisions). Everything is written to a temporary file
beside the target (`powerlist.sheets.output`; for stdout, a temporary file copied out at the
end) and renamed over the target only when every part is in, so a run stopped by a dead
worker, a lost scheduler or Ctrl-C leaves the target as it was. Workers that share the
driver's disk write their parts' bytes to a temporary folder beside the target (removed at the
end) instead of sending them back, and the driver copies each into the output in the
kernel (copy_file_range), writing itself only the few decisions made again where the parts meet
(ids an earlier part used).
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import IO, Any

from ..routing.batch import COLUMNS, RouteCounts, RoutedPart, RouterSpec, route_part
from ..routing.decision import Decision
from ..routing.parallel import cluster, run
from ..routing.partitions import TAIL, split
from ..routing.router import Router
from ..sheets.output import atomic_binary


@contextlib.contextmanager
def atomic_output(target: Path | None) -> Iterator[IO[bytes]]:
    """A binary file that becomes `target` (`sheets.output.atomic_binary`: a temporary file
    beside it, renamed into place) — or, when `target` is None, an unnamed temporary file copied
    to stdout — only if the block ends without an exception."""
    if target is not None:
        with atomic_binary(target) as handle:
            yield handle
        return
    with tempfile.TemporaryFile(prefix=".powerlist-stdout.") as spool:
        yield spool
        spool.flush()
        spool.seek(0)
        _copy_to_stdout(spool)


def _copy_to_stdout(source: IO[bytes]) -> None:
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    encoding = (getattr(sys.stdout, "encoding", None) or "utf-8").lower().replace("_", "-")
    if buffer is not None and encoding in ("utf-8", "utf8"):
        shutil.copyfileobj(source, buffer)
        buffer.flush()
    else:
        for text in io.TextIOWrapper(source, encoding="utf-8", newline=""):
            sys.stdout.write(text)
        sys.stdout.flush()


def route_on_cluster(input: Path, router: Router, output: str, out_file: Path | None, encoding: str, *,
                     workers: int | None, scheduler: str | None, rows: int, progress: Any,
                     decisions_sink: list[Decision] | None = None) -> RouteCounts:
    """Route `input` on a Dask cluster; `output` is "jsonl" or "csv" (bytes to `out_file` or
    stdout) or "decisions" (collected into `decisions_sink`). The run's counts."""
    total, parts = split(input, encoding, rows, 2 * workers if workers else TAIL)
    counts = RouteCounts()
    bar = progress(total)
    with cluster(workers, scheduler) as client, bar if bar is not None else contextlib.nullcontext(), \
            _spool(client, out_file, output) as spool:
        spec = RouterSpec.of(router, output, spool)
        task = bar.add_task("route", total=total) if bar is not None else None

        def advance(n: int) -> None:
            if bar is not None and task is not None:
                bar.advance(task, n)

        results = run(client, parts, route_part, spec, progress=advance)
        if output == "decisions":
            assert decisions_sink is not None
            for _, routed in results:
                counts.merge(routed.counts)
                decisions_sink.extend(routed.decisions)
            return counts
        with atomic_output(out_file) as handle:
            if output == "csv":
                header = io.StringIO(newline="")
                csv.writer(header).writerow(COLUMNS)
                handle.write(("\ufeff" if out_file is not None else "").encode("utf-8"))
                handle.write(header.getvalue().encode("utf-8"))
            for _, result in results:
                counts.merge(result.counts)
                write_part(handle, result)
    return counts


def write_part(handle: IO[bytes], part: RoutedPart) -> None:
    """A part's bytes, its fixes applied, at the end of `handle`; a spooled part's file copied
    in the kernel (copy_file_range) between the fixes where it can, else through a buffer, and
    removed."""
    if part.spooled is None:
        handle.write(part.patched())
        return
    path = Path(part.spooled)
    handle.flush()
    begin = handle.tell()
    with path.open("rb") as source:
        size = os.fstat(source.fileno()).st_size
        try:
            _splice(source.fileno(), handle.fileno(), size, part.fixes, begin)
            handle.seek(0, os.SEEK_END)
        except OSError:  # another file system, an old kernel: by hand, from the start of the part
            handle.seek(begin)
            handle.truncate()
            source.seek(0)
            data = source.read()
            handle.write(replace(part, data=data, spooled=None).patched())
    path.unlink()


def _splice(source: int, target: int, size: int, fixes: tuple[tuple[int, int, bytes], ...], at: int) -> None:
    """`source`'s `size` bytes written to `target` from offset `at`, the fixes' spans replaced."""
    start = 0
    for begin, end, text in (*fixes, (size, size, b"")):
        while start < begin:
            step = os.copy_file_range(source, target, begin - start, start, at)
            if step == 0:
                raise OSError("copy_file_range stopped short")
            start, at = start + step, at + step
        while text:
            step = os.pwrite(target, text, at)
            text, at = text[step:], at + step
        start = end


@contextlib.contextmanager
def _spool(client: Any, out_file: Path | None, output: str) -> Iterator[str | None]:
    """A temporary folder beside the output for the workers to write their parts in, when every
    worker can see it (a local cluster's can; a remote one's may not: then parts come back over
    the network). Removed at the end, whatever happens."""
    if output == "decisions":
        yield None
        return
    folder = Path(tempfile.mkdtemp(prefix=".powerlist-parts.", dir=out_file.parent if out_file else None))
    try:
        seen = client.run(os.path.isdir, str(folder))
        yield str(folder) if seen and all(seen.values()) else None
    finally:
        shutil.rmtree(folder, ignore_errors=True)


__all__ = ["atomic_output", "route_on_cluster"]
