"""A zip archive written as a stream of bytes, in flat memory.

`zipfile.ZipFile` can write to an unseekable stream, but it keeps a `ZipInfo` per member for the
central directory (about 900 bytes each: 180 MB for a corpus of 100,000 articles). This writer
keeps each member's central directory record as bytes in a spooled temporary file instead (in
memory up to 1 MB, then on disk), so memory stays flat whatever the number of members. Members
are deflated and followed by a data descriptor (their size and CRC are known once written);
Zip64 records are added when there are more than 65,535 members or the archive passes 4 GB, so
`zipfile` and the usual unzip tools read the result. Names are UTF-8 (flag bit 11); times are
fixed (1980-01-01), so the same data gives the same bytes.
"""

from __future__ import annotations

import struct
import tempfile
import zlib
from collections.abc import Iterator

_DATE, _TIME = (0 << 9) | (1 << 5) | 1, 0  # 1980-01-01 00:00 in DOS format
_FLAGS = 0x0008 | 0x0800  # data descriptor follows; UTF-8 name
_DEFLATE = 8
_MAX32 = 0xFFFFFFFF


class ZipStream:
    """`add(name, data)` returns the bytes of one member; `finish()` the central directory."""

    def __init__(self, *, level: int = 6):
        self._level = level
        self._offset = 0
        self._count = 0
        self._directory = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)  # noqa: SIM115 (see close())
        self._directory_size = 0

    def add(self, name: str, data: bytes) -> bytes:
        if len(data) >= _MAX32:
            raise ValueError(f"{name} is too large for a zip member ({len(data)} bytes)")
        encoded = name.encode()
        compressor = zlib.compressobj(self._level, zlib.DEFLATED, -15)
        packed = compressor.compress(data) + compressor.flush()
        crc = zlib.crc32(data)
        header = struct.pack(
            "<IHHHHHIIIHH", 0x04034B50, 20, _FLAGS, _DEFLATE, _TIME, _DATE, 0, 0, 0, len(encoded), 0
        )
        descriptor = struct.pack("<IIII", 0x08074B50, crc, len(packed), len(data))
        extra = b""
        offset = self._offset
        if offset >= _MAX32:  # Zip64: the member's offset in an extra field
            extra = struct.pack("<HHQ", 0x0001, 8, offset)
            offset = _MAX32
        record = struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            (3 << 8) | 45,  # made by: Unix, zip 4.5
            45 if extra else 20,
            _FLAGS,
            _DEFLATE,
            _TIME,
            _DATE,
            crc,
            len(packed),
            len(data),
            len(encoded),
            len(extra),
            0,
            0,
            0,
            0o100644 << 16,
            offset,
        )
        self._directory.write(record + encoded + extra)
        self._directory_size += len(record) + len(encoded) + len(extra)
        self._count += 1
        out = header + encoded + packed + descriptor
        self._offset += len(out)
        return out

    def close(self) -> None:
        self._directory.close()

    def finish(self, chunk: int = 256 * 1024) -> Iterator[bytes]:
        """The central directory and the end records, in chunks."""
        self._directory.seek(0)
        while True:
            data = self._directory.read(chunk)
            if not data:
                break
            yield data
        self.close()
        start, size, count = self._offset, self._directory_size, self._count
        end = b""
        if count > 0xFFFF or start >= _MAX32 or size >= _MAX32:
            zip64_at = start + size
            end += struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, count, count, size, start)
            end += struct.pack("<IIQI", 0x07064B50, 0, zip64_at, 1)
            count16, size32, start32 = min(count, 0xFFFF), min(size, _MAX32), min(start, _MAX32)
        else:
            count16, size32, start32 = count, size, start
        end += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count16, count16, size32, start32, 0)
        yield end
