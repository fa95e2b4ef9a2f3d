"""Language codes in exchange files (`de`, `pt-BR`) → the project's (`de`, `pt_BR`)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from babel import Locale, UnknownLocaleError

from pipeline.base.errors import UsageError
from pipeline.config.load import Config
from pipeline.exchange.xmlio import Document


def project_lang(doc: Document, element: ET.Element, attr: str, config: Config) -> str:
    """The project language an attribute names. Missing or not a language code:
    a malformed file (exit 1); a language the project does not have: exit 2."""
    value = (element.get(attr) or "").strip()
    if not value:
        raise doc.error(f"<{_local(element.tag)}> has no {attr} attribute", element)
    lang = match_lang(doc, element, value, config, attr)
    assert lang is not None
    return lang


def match_lang(
    doc: Document, element: ET.Element, value: str, config: Config, what: str, optional: bool = False
) -> str | None:
    """`value` as one of the project's languages (case and `-`/`_` do not matter);
    with `optional`, None for a valid code the project does not have."""
    wanted = value.replace("-", "_").lower()
    for lang in config.languages:
        if lang.replace("-", "_").lower() == wanted:
            return lang
    try:
        Locale.parse(value.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        raise doc.error(f"{what}: unknown language code {value!r}", element) from None
    if optional:
        return None
    known = ", ".join(config.languages)
    raise UsageError(f"{what}: language '{value}' is not one of this project's ({known})", doc.rel, doc.line(element))


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]
