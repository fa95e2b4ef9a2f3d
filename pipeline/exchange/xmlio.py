"""XML in and out for the exchange formats, without surprises.

Reading: expat, through `xml.etree`'s tree builder, with every element's line
recorded (so a message can name `file:line`). What defusedxml guards against is
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

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

from pipeline.base.errors import PipelineError

XML_NS = "http://www.w3.org/XML/1998/namespace"
XML_LANG = f"{{{XML_NS}}}lang"
# Characters XML 1.0 cannot carry, not even as character references.
ILLEGAL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
MAX_BYTES = 64 * 1024 * 1024  # far above any delivery; a stray dump is refused unread


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


@dataclass
class Document:
    """A parsed file: its root element and the line each element starts on."""

    root: ET.Element
    lines: dict[int, int]  # id(element) → line
    rel: str

    def line(self, element: ET.Element) -> int:
        return self.lines.get(id(element), 1)

    def error(self, message: str, element: ET.Element | None = None) -> PipelineError:
        """A one-line error naming this file and the element's line."""
        return PipelineError(message, self.rel, self.line(element) if element is not None else 1)


def parse(path: Path, rel: str) -> Document:
    """Parse `path` safely; any problem is a `PipelineError` naming file and line."""
    try:
        if path.stat().st_size > MAX_BYTES:
            raise PipelineError(f"is larger than {MAX_BYTES // (1024 * 1024)} MB; refusing to read it", rel)
        raw = path.read_bytes()
    except FileNotFoundError:
        raise PipelineError("file not found", rel) from None
    except OSError as exc:
        raise PipelineError(f"cannot read: {exc.strerror}", rel) from None
    builder = ET.TreeBuilder()
    lines: dict[int, int] = {}
    parser = expat.ParserCreate(None, "}")
    parser.buffer_text = True

    def start(tag: str, attrs: dict[str, str]) -> None:
        element = builder.start(_name(tag), {_name(k): v for k, v in attrs.items()})
        lines[id(element)] = parser.CurrentLineNumber

    def refuse(what: str) -> None:
        raise PipelineError(f"{what} (refused: exchange files need no DTD)", rel, parser.CurrentLineNumber)

    def doctype(_name: str, _system: str | None, _public: str | None, internal: int) -> None:
        if internal:
            refuse("has a DOCTYPE with declarations")

    parser.StartElementHandler = start
    parser.EndElementHandler = lambda tag: builder.end(_name(tag))
    parser.CharacterDataHandler = builder.data
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = lambda name, *_: refuse(f"declares an entity {name!r}")
    parser.SkippedEntityHandler = lambda name, *_: refuse(f"refers to an undeclared entity {name!r}")
    try:
        parser.Parse(raw, True)
    except expat.ExpatError as exc:
        raise PipelineError(f"is not well-formed XML: {expat.ErrorString(exc.code)}", rel, exc.lineno) from None
    root = builder.close()
    # Keep the elements alive as long as their ids are keys.
    return Document(root, lines, rel)


def _name(name: str) -> str:
    """expat's `ns}local` → ElementTree's `{ns}local`."""
    return "{" + name if "}" in name else name


def text_of(element: ET.Element) -> str:
    """All the text inside an element (for notes and simple fields)."""
    return "".join(element.itertext())
