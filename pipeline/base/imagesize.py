"""The width and height of an image from its first bytes: PNG, JPEG, GIF, WebP, SVG.

Standard library only, a few bytes of header each (a JPEG's frame header may follow
its metadata segments). A page that gives its images `width` and `height` does not
jump while they load. Nothing here trusts the file: a malformed header or a size
outside 1..`MAX_SIDE` pixels is "unknown" (None), never an exception, and an SVG is
read with a pattern over its opening tag, never with an XML parser (no entities, no
external references, nothing that grows).
"""

from __future__ import annotations

import re
import struct

MAX_SIDE = 20_000  # a side beyond this is a broken header, not a picture for a page
_SVG_HEAD = 4096  # the root element's opening tag is within the first bytes
_SVG_TAG_RE = re.compile(rb"<svg\b([^>]{0,2048})>", re.I)
_ATTR_RE = re.compile(rb"""\s([A-Za-z:-]{1,20})\s*=\s*(?:"([^"]{0,200})"|'([^']{0,200})')""")
_LENGTH_RE = re.compile(rb"\s*([0-9]{1,6}(?:\.[0-9]{1,6})?)\s*(?:px)?\s*")
# JPEG markers that start a frame and carry its size (SOF0-3, 5-7, 9-11, 13-15).
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def image_size(data: bytes, suffix: str) -> tuple[int, int] | None:
    """(width, height) in CSS pixels of the image `data`, or None when unknown.
    `suffix` (".svg") tells an SVG from the binary formats, which name themselves."""
    try:
        if suffix.lower() == ".svg":
            size = _svg(data[:_SVG_HEAD])
        elif data.startswith(b"\x89PNG\r\n\x1a\n"):
            size = _png(data)
        elif data[:6] in (b"GIF87a", b"GIF89a"):
            size = struct.unpack("<HH", data[6:10])
        elif data.startswith(b"\xff\xd8"):
            size = _jpeg(data)
        elif data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            size = _webp(data)
        else:
            size = None
    except (struct.error, ValueError, IndexError, ZeroDivisionError, OverflowError):
        return None
    if size is None:
        return None
    width, height = size
    return (width, height) if 0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE else None


def _png(data: bytes) -> tuple[int, int] | None:
    if data[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", data[16:24])


def _jpeg(data: bytes) -> tuple[int, int] | None:
    """The size in the first frame header, walking the segments from the start."""
    at = 2
    while at + 9 < len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):  # no length follows
            at += 2
            continue
        length = struct.unpack(">H", data[at + 2 : at + 4])[0]
        if marker in _SOF:
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            return width, height
        if length < 2 or marker == 0xDA:  # start of scan: no frame header before it
            return None
        at += 2 + length
    return None


def _webp(data: bytes) -> tuple[int, int] | None:
    kind = data[12:16]
    if kind == b"VP8 ":
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if kind == b"VP8L":
        b0, b1, b2, b3 = data[21:25]
        return 1 + (b0 | (b1 & 0x3F) << 8), 1 + (b1 >> 6 | b2 << 2 | (b3 & 0x0F) << 10)
    if kind == b"VP8X":
        return 1 + int.from_bytes(data[24:27], "little"), 1 + int.from_bytes(data[27:30], "little")
    return None


def _svg(head: bytes) -> tuple[int, int] | None:
    """`width` and `height` of the root `<svg>` in pixels, else its `viewBox`'s."""
    tag = _SVG_TAG_RE.search(head)
    if tag is None:
        return None
    attrs = {
        m.group(1).lower(): m.group(2) if m.group(2) is not None else m.group(3)
        for m in _ATTR_RE.finditer(tag.group(1))
    }
    width, height = _length(attrs.get(b"width")), _length(attrs.get(b"height"))
    if width and height:
        return width, height
    box = (attrs.get(b"viewbox") or b"").replace(b",", b" ").split()
    if len(box) != 4:
        return None
    box_width, box_height = float(box[2]), float(box[3])
    if width and box_height > 0:  # one side given: the other keeps the view box's ratio
        return width, round(width * box_height / box_width)
    return round(box_width), round(box_height)


def _length(value: bytes | None) -> int | None:
    """A length in pixels (`120`, `120px`, `120.5`); None for `%`, `em` and the like."""
    if value is None:
        return None
    m = _LENGTH_RE.fullmatch(value)
    return round(float(m.group(1))) if m else None
