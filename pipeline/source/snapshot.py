"""One parse, every language: the Markdown parser's state right after block parsing.

Preprocessing and block parsing do not depend on the language (the segment
extension swaps the text later, at priority 25), so `convert.Converter` parses a
body once, keeps a `Snapshot` of the tree and of the block parser's side state, and
restores a fresh copy of it for each further language. It reads and sets the
parser's private state (the HTML stash's fields, the footnote and abbr processors'
state): checked against the releases in `markup.hooks.CHECKED_MARKDOWN`.
"""

from __future__ import annotations

import copy
import xml.etree.ElementTree as etree
from dataclasses import dataclass

from markdown import Markdown


@dataclass
class Snapshot:
    """The parser's state right after block parsing, to render other languages from.

    Preprocessing and block parsing do not depend on the language (the text is
    swapped later, at priority 25), so one parse can serve every edition: the tree
    and the state the block parser left (HTML stash, link references,
    abbreviations, footnotes) are copied once and restored for each language.
    """

    root: etree.Element
    state: dict[str, object]
    lines: list[str]


def take_snapshot(md: Markdown, root: etree.Element, lines: list[str]) -> Snapshot:
    """Copy the tree and the block parser's side state (one deepcopy keeps the
    elements the stash and the tree share shared)."""
    stash = md.htmlStash
    state: dict[str, object] = {
        "stash": (stash.rawHtmlBlocks, stash.html_counter, stash.tag_counter, stash.tag_data),
        "references": md.references,
    }
    if "abbr" in md.treeprocessors:
        state["abbrs"] = md.treeprocessors["abbr"].abbrs
    footnotes = _footnotes(md)
    if footnotes is not None:
        state["footnotes"] = {k: getattr(footnotes, k) for k in _FOOTNOTE_STATE}
    copied_root, copied_state = copy.deepcopy((root, state))
    return Snapshot(copied_root, copied_state, list(lines))


def restore_snapshot(md: Markdown, snapshot: Snapshot) -> etree.Element:
    """Put a (fresh copy of a) snapshot back into a reset `md`; returns the tree."""
    root, state = copy.deepcopy((snapshot.root, snapshot.state))
    stash = md.htmlStash
    stash.rawHtmlBlocks, stash.html_counter, stash.tag_counter, stash.tag_data = state["stash"]
    md.references.clear()
    md.references.update(state["references"])
    if "abbrs" in state:
        # The abbr block and tree processors share one dict: refill it in place.
        abbrs = md.treeprocessors["abbr"].abbrs
        abbrs.clear()
        abbrs.update(state["abbrs"])
    footnotes = _footnotes(md)
    if footnotes is not None and "footnotes" in state:
        for key, value in state["footnotes"].items():
            setattr(footnotes, key, value)
    return root


_FOOTNOTE_STATE = ("footnotes", "footnote_order", "unique_prefix", "found_refs", "used_refs")


def _footnotes(md: Markdown) -> object | None:
    if "footnote" not in md.treeprocessors:
        return None
    return md.treeprocessors["footnote"].footnotes
