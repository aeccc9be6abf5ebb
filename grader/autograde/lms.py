"""Reading an LMS export handed to the grader: a ``.zip`` of submissions, or loose ``.py`` files, into one entry per
file, each with its bytes or the reason it is not graded. Nothing is ever written to disk or extracted, so a path
in an archive can point nowhere; it is still refused by name when it tries to (``../x.py``, ``/etc/x.py``).

Archives are hostile until read: the entry count and the unpacked total are capped before anything is read (a zip
bomb declares its size), and every read is cut at the cap whatever size an entry declares (one that lies). Entry
names that are not UTF-8 are decoded as the zip format's legacy code page and kept for display only (escaped by
whoever shows them); what is stored is :func:`grader.services.safe_file_name` of them.
"""

from __future__ import annotations

import io
import stat
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

from .contract import MAX_SOURCE_BYTES

MAX_UPLOAD_BYTES = 32 << 20
"""The largest file (archive or source) taken in one upload."""
MAX_ENTRIES = 1000
"""An archive with more entries is refused whole, before any is read."""
MAX_TOTAL_BYTES = 16 << 20
"""What one upload may unpack to in all (declared, and as read)."""

_UTF8_FLAG = 0x800
_ENCRYPTED_FLAG = 0x1


@dataclass(frozen=True)
class ExportFile:
    path: str
    """The file's name in the upload (an archive's entries: their path in it). Submitter-controlled: escape it."""
    data: bytes | None
    problem: str | None = None
    """Why it is not graded (``data`` is then ``None``)."""


def _mib(n: int) -> str:
    return f"{n / (1 << 20):.1f} MiB"


def entry_name(info: zipfile.ZipInfo) -> str:
    """An entry's name: UTF-8 when the archive says so or when its bytes are UTF-8 (many tools write UTF-8 without
    saying so), else as the zip format's legacy code page (cp437) decoded it."""
    if info.flag_bits & _UTF8_FLAG:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def unsafe_path(name: str) -> bool:
    """A name that would leave the folder it is unpacked in: absolute, a drive, or a ``..`` part."""
    flat = name.replace("\\", "/")
    return flat.startswith("/") or (len(flat) > 1 and flat[1] == ":") or ".." in PurePosixPath(flat).parts


def _metadata(name: str) -> bool:
    parts = PurePosixPath(name.replace("\\", "/")).parts
    return any(p == "__MACOSX" for p in parts) or (bool(parts) and parts[-1].startswith("._"))


def _skip_reason(name: str, info: zipfile.ZipInfo) -> str | None:
    if unsafe_path(name):
        return "its path leads out of the archive (absolute or ..): not read"
    if _metadata(name):
        return "macOS metadata, not a submission: not read"
    if stat.S_ISLNK(info.external_attr >> 16):
        return "a symbolic link, not a file: not read"
    if not name.lower().endswith(".py"):
        return "not a .py file: not graded"
    if info.flag_bits & _ENCRYPTED_FLAG:
        return "encrypted: not read"
    if info.file_size > MAX_SOURCE_BYTES:
        return f"{info.file_size:,} bytes unpacked; at most {MAX_SOURCE_BYTES:,} are graded"
    return None


def read_zip(name: str, data: bytes) -> list[ExportFile]:
    """The entries of a zip archive (directories left out), each with its bytes or why it is not graded; an
    archive that cannot be read, or is refused whole, is one entry named after the archive."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, UnicodeDecodeError, ValueError, EOFError, OSError) as e:
        return [ExportFile(name, None, f"not a readable zip archive ({type(e).__name__})")]
    with zf:
        if len(infos) > MAX_ENTRIES:
            return [ExportFile(name, None, f"the archive holds {len(infos):,} entries; at most {MAX_ENTRIES:,}")]
        declared = sum(max(0, i.file_size) for i in infos)
        if declared > MAX_TOTAL_BYTES:
            why = f"the archive would unpack to {_mib(declared)}; at most {_mib(MAX_TOTAL_BYTES)} (nothing was read)"
            return [ExportFile(name, None, why)]
        out: list[ExportFile] = []
        total = 0
        for info in infos:
            path = entry_name(info)
            if info.is_dir():
                continue
            skip = _skip_reason(path, info)
            if skip is not None:
                out.append(ExportFile(path, None, skip))
                continue
            if total >= MAX_TOTAL_BYTES:
                out.append(ExportFile(path, None, f"not read: the upload unpacked past {_mib(MAX_TOTAL_BYTES)}"))
                continue
            try:
                with zf.open(info) as f:
                    body = f.read(MAX_SOURCE_BYTES + 1)  # never more, whatever the entry declares
            except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, EOFError, OSError) as e:
                out.append(ExportFile(path, None, f"cannot be unpacked ({type(e).__name__}): not read"))
                continue
            total += len(body)
            if len(body) > MAX_SOURCE_BYTES:
                out.append(ExportFile(path, None, f"more than {MAX_SOURCE_BYTES:,} bytes unpacked: not graded"))
                continue
            out.append(ExportFile(path, body))
        return out


def read_export(uploads: Iterable[tuple[str, bytes]]) -> list[ExportFile]:
    """Uploaded files (``(name, bytes)``): zip archives opened, ``.py`` files taken as they are, anything else
    refused, each with the reason."""
    out: list[ExportFile] = []
    for name, data in uploads:
        if len(data) > MAX_UPLOAD_BYTES:
            out.append(ExportFile(name, None, f"{_mib(len(data))}; at most {_mib(MAX_UPLOAD_BYTES)} per upload"))
        elif name.lower().endswith(".zip") or data[:4] == b"PK\x03\x04":
            out += read_zip(name, data)
        elif not name.lower().endswith(".py"):
            out.append(ExportFile(name, None, "not a .py file or a .zip archive: not graded"))
        elif len(data) > MAX_SOURCE_BYTES:
            out.append(ExportFile(name, None, f"{len(data):,} bytes; at most {MAX_SOURCE_BYTES:,} are graded"))
        else:
            out.append(ExportFile(name, data))
    return out
