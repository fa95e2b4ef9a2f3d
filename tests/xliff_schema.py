"""Validate XLIFF files against the OASIS XLIFF 1.2 strict schema (a dev tool, not a test).

    python -m tests.xliff_schema FILE.xlf ... [--schemas DIR]

DIR holds `xliff-core-1.2-strict.xsd` and `xml.xsd` (default: ../shared/schemas
beside the checkout). The schema imports the XML namespace's schema by URL; an lxml
resolver answers that with the local `xml.xsd`, so nothing is fetched.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lxml import etree

from tests.support import ROOT


class _Offline(etree.Resolver):
    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.folder = folder

    def resolve(self, url, pubid, context):
        if url.endswith("xml.xsd"):
            return self.resolve_filename(str(self.folder / "xml.xsd"), context)
        return None


def schema(folder: Path) -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(_Offline(folder))
    return etree.XMLSchema(etree.parse(str(folder / "xliff-core-1.2-strict.xsd"), parser))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+", type=Path)
    here = [p / "shared" / "schemas" for p in (ROOT.parent, ROOT.parent.parent)]
    ap.add_argument("--schemas", type=Path, default=next((p for p in here if p.is_dir()), here[0]))
    args = ap.parse_args(argv)
    xsd = schema(args.schemas)
    failed = 0
    for path in args.files:
        if xsd.validate(etree.parse(str(path))):
            print(f"{path}: valid")
        else:
            failed += 1
            for error in xsd.error_log:
                print(f"{path}:{error.line}: {error.message}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
