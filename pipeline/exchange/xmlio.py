"""XML in and out for the exchange formats, without surprises.

Reading: expat, fed the file in pieces, through `xml.etree`'s tree builder, with
every element's line recorded (so a message can name `file:line`); a `Reader`
takes each unit as it closes and the unit is dropped, so memory and time grow with
the file, never faster, and ceilings (bytes, elements, depth, segment length; only
regular files) refuse a hostile file early, in one line. What defusedxml guards against is
refused here without adding it as a dependency: a DOCTYPE with an internal subset
(where entities are declared: "billion laughs"), any entity declaration, and any
reference to an entity that is not XML's own. External DTDs and entities are never
loaded. A bare `<!DOCTYPE tmx SYSTEM "tmx14.dtd">`, which TMX writers (Trados,
translate-toolkit) put at the top, is accepted and ignored.

Writing: a small serializer instead of `ElementTree.write`, because a segment's
text must come back byte for byte: ElementTree writes a carriage return raw (a
reader turns it into a newline) and indents mixed content if asked to indent.
Here `\\r` becomes `&#13;`, and only structural elements are indented.
"""

from __future__ import annotations

import os
import re
import stat
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from xml.parsers import expat

from pipeline.base.errors import PipelineError, UsageError

XML_NS = "http://www.w3.org/XML/1998/namespace"
XML_LANG = f"{{{XML_NS}}}lang"
# Characters XML 1.0 cannot carry, not even as character references.
ILLEGAL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Ceilings of an exchange file (README, "Ceilings"): far above any delivery (the
# whole site is a few thousand units of a few hundred bytes), low enough that a
# hostile or broken file is refused in seconds, in little memory.
_MB = 1024 * 1024
MAX_BYTES = (
    50 * _MB
)  # (keep the messages' "50 MB" in step) refused unread above this (the size is known before reading)
MAX_ELEMENTS = 1_000_000  # a hundred thousand units of ten elements each
MAX_DEPTH = 64  # a unit is 5 deep in <xliff>; CAT tools nest <g>/<mrk> a few levels more
MAX_SEGMENT = 100_000  # characters in one segment (a long article paragraph is ~2,000)
SEGMENTS = {"source", "target", "seg"}  # what counts as one segment (with all inside it)
_CHUNK = 64 * 1024


@dataclass
class Node:
    """An element to write: a tag, attributes (None values are left out), and
    children that are text or other nodes."""

    tag: str
    attrs: dict[str, str | None] = field(default_factory=dict)
    children: list[Node | str] = field(default_factory=list)
    mixed: bool = False  # text content: never indented


def serialize(root: Node) -> str:
    """The document's text, with an XML declaration, ending in a newline."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n']
    _write(root, out, 0)
    out.append("\n")
    return "".join(out)


def _write(node: Node, out: list[str], level: int) -> None:
    attrs = "".join(f' {k}="{escape_attr(v)}"' for k, v in node.attrs.items() if v is not None)
    if not node.children:
        out.append(f"<{node.tag}{attrs}/>")
        return
    out.append(f"<{node.tag}{attrs}>")
    if node.mixed or all(isinstance(c, str) for c in node.children):
        for child in node.children:
            if isinstance(child, str):
                out.append(escape_text(child))
            else:
                _write(Node(child.tag, child.attrs, child.children, mixed=True), out, level)
    else:
        for child in node.children:
            out.append("\n" + "  " * (level + 1))
            if isinstance(child, str):
                out.append(escape_text(child))
            else:
                _write(child, out, level + 1)
        out.append("\n" + "  " * level)
    out.append(f"</{node.tag}>")


def escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def escape_attr(text: str) -> str:
    text = escape_text(text).replace('"', "&quot;")
    return text.replace("\n", "&#10;").replace("\t", "&#9;")


class Reader(Protocol):
    """What reads a document as it streams by: told of every element as it opens
    (attributes known, children not yet) and as it closes (whole); `end` returns
    True to have the element dropped from the tree once it has taken what it needs
    (a unit), so memory holds one unit at a time, not the file."""

    def start(self, doc: Document, element: ET.Element) -> None: ...
    def end(self, doc: Document, element: ET.Element) -> bool: ...


@dataclass
class Document:
    """A file being parsed: its root element, the line of each element still in
    the tree, and the elements open around the one being read (`open[-1]` is its
    parent while `end` runs)."""

    rel: str
    root: ET.Element | None = None
    lines: dict[int, int] = field(default_factory=dict)  # id(element) → line
    open: list[ET.Element] = field(default_factory=list)

    def line(self, element: ET.Element) -> int:
        return self.lines.get(id(element), 1)

    def error(self, message: str, element: ET.Element | None = None) -> PipelineError:
        """A one-line error naming this file and the element's line."""
        return PipelineError(message, self.rel, self.line(element) if element is not None else 1)


def parse(path: Path, rel: str, reader: Reader) -> Document:
    """Parse `path` as a stream, handing its elements to `reader`; any problem (a
    ceiling, a DTD, XML that is not well-formed) is a `PipelineError` naming file
    and line. Only a regular file is read: a FIFO, a device or a folder is refused
    unread, so an import neither hangs nor reads for ever."""
    fd = _open_regular(path, rel)
    parser = expat.ParserCreate(None, "}")
    parser.buffer_text = True
    doc = Document(rel)
    _Handlers(doc, parser, reader)
    total = 0
    try:
        while chunk := os.read(fd, _CHUNK):
            total += len(chunk)
            if total > MAX_BYTES:  # it grew while we read
                raise PipelineError(f"is over {MAX_BYTES:,} bytes, the limit for an exchange file", rel)
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise PipelineError(f"is not well-formed XML: {expat.ErrorString(exc.code)}", rel, exc.lineno) from None
    except OSError as exc:
        raise PipelineError(f"cannot read: {exc.strerror}", rel) from None
    finally:
        os.close(fd)
    return doc


def _open_regular(path: Path, rel: str) -> int:
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise UsageError("file not found", rel) from None  # the file named on the command line: exit 2
    except OSError as exc:
        raise PipelineError(f"cannot read: {exc.strerror}", rel) from None
    info = os.fstat(fd)
    problem = None
    if stat.S_ISDIR(info.st_mode):
        os.close(fd)
        raise UsageError("is a folder, not a file", rel)
    elif not stat.S_ISREG(info.st_mode):
        kind = "a named pipe" if stat.S_ISFIFO(info.st_mode) else "a device or socket"
        problem = f"is not a regular file ({kind}); refusing to read it"
    elif info.st_size > MAX_BYTES:
        problem = f"is {info.st_size:,} bytes; the limit for an exchange file is {MAX_BYTES:,} bytes (50 MB)"
    if problem:
        os.close(fd)
        raise PipelineError(problem, rel)
    return fd


class _Handlers:
    """expat's callbacks: the tree as far as the reader keeps it, and the ceilings."""

    def __init__(self, doc: Document, parser: expat.XMLParserType, reader: Reader) -> None:
        self.doc, self.parser, self.reader = doc, parser, reader
        self.builder = ET.TreeBuilder()
        self.elements = 0
        self.run = 0  # characters of text since the last tag
        self.segment: int | None = None  # depth of the open segment (<source>, <target>, <seg>)
        self.in_segment = 0  # characters in it so far
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.data
        parser.StartDoctypeDeclHandler = self.doctype
        parser.EntityDeclHandler = lambda name, *_: self.refuse(f"declares an entity {name!r}")
        parser.SkippedEntityHandler = lambda name, *_: self.refuse(f"refers to an undeclared entity {name!r}")

    def fail(self, message: str) -> PipelineError:
        return PipelineError(message, self.doc.rel, self.parser.CurrentLineNumber)

    def refuse(self, what: str) -> None:
        raise self.fail(f"{what} (refused: exchange files need no DTD)")

    def doctype(self, _name: str, _system: str | None, _public: str | None, internal: int) -> None:
        if internal:
            self.refuse("has a DOCTYPE with declarations")

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        doc = self.doc
        self.elements += 1
        if self.elements > MAX_ELEMENTS:
            raise self.fail(f"has more than {MAX_ELEMENTS:,} elements, the limit for an exchange file")
        if len(doc.open) >= MAX_DEPTH:
            raise self.fail(f"nests elements more than {MAX_DEPTH} deep, the limit for an exchange file")
        if sum(len(v) for v in attrs.values()) > MAX_SEGMENT:
            raise self.fail(f"has attributes of more than {MAX_SEGMENT:,} characters, the limit for one element")
        element = self.builder.start(_name(tag), {_name(k): v for k, v in attrs.items()})
        doc.lines[id(element)] = self.parser.CurrentLineNumber
        if doc.root is None:
            doc.root = element
        doc.open.append(element)
        self.run = 0
        if self.segment is None and element.tag.rpartition("}")[2] in SEGMENTS:
            self.segment, self.in_segment = len(doc.open), 0
        self.reader.start(doc, element)

    def end(self, tag: str) -> None:
        doc = self.doc
        element = self.builder.end(_name(tag))
        if self.segment == len(doc.open):
            self.segment = None
        doc.open.pop()
        self.run = 0
        if self.reader.end(doc, element) and doc.open:
            doc.open[-1].remove(element)
            for inner in element.iter():  # ElementTree's iter is a loop, not recursion
                doc.lines.pop(id(inner), None)

    def data(self, text: str) -> None:
        self.run += len(text)
        if self.segment is not None:
            self.in_segment += len(text)
        if self.run > MAX_SEGMENT or self.in_segment > MAX_SEGMENT:
            raise self.fail(f"has a segment of more than {MAX_SEGMENT:,} characters, the limit for one segment")
        self.builder.data(text)


def _name(name: str) -> str:
    """expat's `ns}local` → ElementTree's `{ns}local`."""
    return "{" + name if "}" in name else name


def text_of(element: ET.Element) -> str:
    """All the text inside an element (for notes and simple fields; `itertext` is
    a loop in ElementTree, not recursion)."""
    return "".join(element.itertext())
