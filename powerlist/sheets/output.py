"""Every file powerlist writes — CSV, XLSX, JSONL, JSON, reports, templates — goes through here.

Two guarantees, for every writer:

- **Atomic**: the output is written to a temporary file beside the target (same directory, so
  the same file system) and renamed into place only when it is complete and flushed to disk. A
  crash, a full disk, an encoding error or an exception half-way leaves the target as it was
  (absent, or the previous version) and no temporary file behind. `Outputs` commits several
  files together (the five template workbooks): all are written before any is renamed.
- **Never an input**: `check_outputs` refuses an output that is one of the inputs by file
  identity (device and inode), so a hard link, a symbolic link or another spelling of the same
  path cannot make a report overwrite the file it was made from.

Targets are checked before anything is written: a missing directory, a directory, a read-only
file (no write permission bit for anyone: someone meant it not to change) are each a located
`FileError` in Chinese with the English after it; so is any OS failure while writing (full
device, quota, read-only file system, I/O error). A target that exists and is not a regular
file — a terminal, a pipe, /dev/null — is a stream: written directly, since it cannot be
replaced. A symbolic link is followed: the file it points to is replaced, the link stays.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, BinaryIO, TextIO

from ..errors import FileError, Problem, os_error


def _refused(file: str, message: str, code: str) -> FileError:
    return FileError([Problem(message=message, file=file, code=code)], f"不能写入 (cannot write) {file}")


def _target(path: Path) -> tuple[Path, os.stat_result | None]:
    """The file to replace (a symbolic link followed) and its status (None when absent);
    raises `FileError` for a target that cannot be written."""
    file = str(path)
    final = Path(os.path.realpath(path)) if path.is_symlink() else path
    try:
        status: os.stat_result | None = final.stat()
    except FileNotFoundError:
        status = None
    except OSError as error:
        raise os_error(error, file, "检查输出路径", "check the output path") from None
    if status is not None and stat.S_ISDIR(status.st_mode):
        raise _refused(file, "输出路径是一个目录：请给出文件名 (the output path is a directory: give a file name)",
                       "output-is-directory")
    if status is not None and stat.S_ISREG(status.st_mode) and not status.st_mode & 0o222:
        raise _refused(file, "输出文件是只读的：不覆盖 (the output file is read-only: it is not overwritten; make it "
                             "writable or choose another name)", "output-read-only")
    parent = final.parent
    if not parent.exists():
        raise _refused(file, f"输出目录 {parent} 不存在：请先创建 (the output directory {parent} does not exist: "
                             "create it first)", "no-directory")
    if not parent.is_dir():
        raise _refused(file, f"{parent} 不是目录 ({parent} is not a directory)", "no-directory")
    return final, status


def check_target(path: str | Path) -> None:
    """Raise the `FileError` that writing `path` would raise (a missing directory, a directory, a
    read-only file) now, before any work: a command checks its outputs before it reads."""
    _target(Path(path))


@dataclass
class _Pending:
    """One output being written: its temporary file until `commit` renames it into place."""

    path: Path  # as the caller gave it, for messages
    final: Path
    status: os.stat_result | None
    temporary: Path | None = None  # None: a stream (a device, a pipe) written directly
    fd: int = -1

    @property
    def file(self) -> str:
        return str(self.path)

    def open(self) -> int:
        if self.status is not None and not stat.S_ISREG(self.status.st_mode):
            try:
                self.fd = os.open(self.final, os.O_WRONLY | os.O_TRUNC)
            except OSError as error:
                raise os_error(error, self.file, "打开输出", "open the output") from None
            return self.fd
        for _ in range(100):
            candidate = self.final.parent / f".{self.final.name}.{secrets.token_hex(4)}.part"
            try:
                # 0o666: the kernel applies the umask, so a new output gets the usual permissions
                self.fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            except FileExistsError:
                continue
            except OSError as error:
                raise os_error(error, self.file, "创建临时文件", "create a temporary file beside the output") from None
            self.temporary = candidate
            if self.status is not None:  # replacing a file: keep its permissions
                with contextlib.suppress(OSError):
                    os.chmod(candidate, stat.S_IMODE(self.status.st_mode))
            return self.fd
        raise _refused(self.file, "无法创建临时文件 (cannot create a temporary file)", "os-error")

    def finish(self) -> None:
        """Flush to disk (the data before the rename, so a power cut cannot leave an empty file)."""
        if self.temporary is not None:
            os.fsync(self.fd)

    def commit(self) -> None:
        if self.temporary is None:
            return
        try:
            os.replace(self.temporary, self.final)
        except OSError as error:
            raise os_error(error, self.file, "写入", "write") from None
        self.temporary = None
        with contextlib.suppress(OSError):  # the rename itself, on file systems that need it
            directory = os.open(self.final.parent, os.O_RDONLY)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)

    def discard(self) -> None:
        if self.temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(self.temporary)
            self.temporary = None


def _write_failure(error: BaseException, pending: _Pending) -> BaseException:
    """An OS error while writing (no file name: the output's) as a located `FileError`."""
    if isinstance(error, OSError) and not isinstance(error, FileError) and error.filename is None:
        return os_error(error, pending.file, "写入", "write")
    return error


@dataclass
class Outputs:
    """Several outputs committed together: each `text`/`binary` handle writes a temporary file;
    leaving the `with` block without an exception renames them all into place, an exception
    removes them all. Use `atomic_text` / `atomic_binary` for one file."""

    pending: list[_Pending] = field(default_factory=list)
    handles: list[_Handle] = field(default_factory=list)

    def __enter__(self) -> Outputs:
        return self

    def _add(self, path: str | Path) -> _Pending:
        target = Path(path)
        final, status = _target(target)
        entry = _Pending(target, final, status)
        entry.open()
        self.pending.append(entry)
        return entry

    def binary(self, path: str | Path) -> BinaryIO:
        entry = self._add(path)
        handle = _Handle(os.fdopen(entry.fd, "wb"), entry)
        self.handles.append(handle)
        return handle  # type: ignore[return-value]

    def text(self, path: str | Path, *, encoding: str = "utf-8", newline: str | None = None) -> TextIO:
        entry = self._add(path)
        handle = _Handle(os.fdopen(entry.fd, "w", encoding=encoding, newline=newline), entry)
        self.handles.append(handle)
        return handle  # type: ignore[return-value]

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: object) -> None:
        if error is not None:
            for handle in self.handles:
                handle.abandon()
            for entry in self.pending:
                entry.discard()
            if self.pending:
                converted = _write_failure(error, self.pending[-1])
                if converted is not error:
                    raise converted from None
            return
        try:
            for entry in self.pending:
                entry.commit()
        except BaseException:
            for entry in self.pending:
                entry.discard()
            raise


class _Handle:
    """A file object whose close flushes it to disk; OS errors come out located. Once the output
    is abandoned (an error), every call is ignored: a writer still holding the handle (openpyxl's
    ZipFile, closed by the garbage collector) must not fail again on a file that is gone."""

    def __init__(self, handle: IO[Any], entry: _Pending) -> None:
        self._handle = handle
        self._entry = entry
        self._abandoned = False

    def __getattr__(self, name: str) -> Any:
        if self._abandoned:
            return _ignored
        return getattr(self._handle, name)

    def abandon(self) -> None:
        self._abandoned = True
        with contextlib.suppress(Exception):
            self._handle.close()

    def write(self, data: Any) -> int:
        if self._abandoned:
            return len(data)
        try:
            return int(self._handle.write(data))
        except OSError as error:
            raise _write_failure(error, self._entry) from None

    def __enter__(self) -> _Handle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._abandoned or self._handle.closed:
            return
        try:
            self._handle.flush()
            self._entry.finish()
        except OSError as error:
            with contextlib.suppress(OSError):
                self._handle.close()
            raise _write_failure(error, self._entry) from None
        self._handle.close()


def _ignored(*args: Any, **kwargs: Any) -> None:
    return None


@contextmanager
def atomic_text(path: str | Path, *, encoding: str = "utf-8", newline: str | None = None) -> Iterator[TextIO]:
    """A text file written atomically at `path` (see the module docstring)."""
    with Outputs() as outputs, outputs.text(path, encoding=encoding, newline=newline) as handle:
        yield handle


@contextmanager
def atomic_binary(path: str | Path) -> Iterator[BinaryIO]:
    """A binary file written atomically at `path` (see the module docstring)."""
    with Outputs() as outputs, outputs.binary(path) as handle:
        yield handle


class _Deferred:
    """What openpyxl writes a workbook to: the output's handle, with the first write error kept
    for later instead of raised inside openpyxl. openpyxl then finishes its zip as if nothing had
    happened (into nothing), so none of its objects is left half-open for the garbage collector
    to fail on; `save_workbook` raises the kept error once openpyxl is done."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.error: BaseException | None = None
        self.position = 0
        self.end = 0

    def write(self, data: bytes) -> int:
        if self.error is None:
            try:
                self.handle.write(data)
            except (OSError, FileError) as error:
                self.error = error
        self.position += len(data)
        self.end = max(self.end, self.position)
        return len(data)

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self.position, os.SEEK_END: self.end}[whence]
        self.position = base + offset
        if self.error is None:
            try:
                self.handle.seek(offset, whence)
            except (OSError, FileError) as error:
                self.error = error
        return self.position

    def tell(self) -> int:
        return self.position

    def flush(self) -> None:
        if self.error is None:
            try:
                self.handle.flush()
            except (OSError, FileError) as error:
                self.error = error

    def seekable(self) -> bool:
        return True

    def writable(self) -> bool:
        return True


def write_workbook(book: Any, handle: BinaryIO, path: str | Path) -> None:
    """An openpyxl workbook written to `handle` (an output of `Outputs`, named `path`)."""
    sink = _Deferred(handle)
    book.save(sink)
    if sink.error is not None:
        if isinstance(sink.error, OSError):
            raise os_error(sink.error, str(path), "写入", "write") from None
        raise sink.error


def save_workbook(book: Any, path: str | Path) -> Path:
    """An openpyxl workbook saved atomically at `path`."""
    with atomic_binary(path) as handle:
        write_workbook(book, handle, path)
    return Path(path)


# ---- outputs are never inputs ----------------------------------------------------------------


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        status = path.stat()
    except OSError:
        return None
    return status.st_dev, status.st_ino


def check_outputs(outputs: Iterable[str | Path | None], inputs: Iterable[str | Path | None]) -> None:
    """Refuse (`FileError`, code ``output-is-input``) any output that is one of the inputs: the same
    file by device and inode, so a hard link, a symbolic link or another spelling is caught too.
    An output that does not exist yet is no input; `None`s are skipped."""
    known: dict[tuple[int, int], str] = {}
    for given in inputs:
        if given is None:
            continue
        identity = _identity(Path(given))
        if identity is not None:
            known.setdefault(identity, str(given))
    problems = []
    for given in outputs:
        if given is None:
            continue
        identity = _identity(Path(given))
        source = known.get(identity) if identity is not None else None
        if source is not None:
            same = "" if os.path.abspath(source) == os.path.abspath(given) else (
                f"（与输入 {source} 是同一个文件：硬链接或符号链接）")
            same_en = "" if not same else f" (the same file as the input {source}: a hard or symbolic link)"
            problems.append(Problem(
                message=f"输出会覆盖输入文件{same}，输入将被毁掉：请换一个输出文件名 (the output would overwrite "
                        f"an input file{same_en} and destroy it: choose another output name)",
                file=str(given), value=source if same else None, code="output-is-input"))
    if problems:
        raise FileError(problems, "输出与输入是同一文件 (an output is an input)")
