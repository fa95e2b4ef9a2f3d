"""`[tool.pipeline]` in the project's pyproject.toml → a frozen `Config`.

Every key has a default, so a project without the table works (source language `en`,
editions `en` and `de`, the default extension list). Unknown keys are errors: a typo
must not silently fall back to a default. Sub-tables that belong to a later stage
(`mt`, `publish`, `qa`, `site`) are kept raw here and validated by the module that
uses them, so each stage owns its settings.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import re
import sys
import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError

from pipeline.errors import UsageError

DEFAULT_EXTENSIONS = ("extra", "toc", "sane_lists", "admonition")
# Clinical-trial registry IDs: a changed digit points a reader at another study.
DEFAULT_PROTECTED_PATTERNS = (r"\bNCT\d{8}\b",)
SUBTABLES = ("mt", "publish", "qa", "site")
_KEYS = {
    "source_lang",
    "languages",
    "extensions",
    "extension_configs",
    "prose_fields",
    "date_locales",
    "project_name",
    "protected_patterns",
    "po_width",
    *SUBTABLES,
}


# Keys of `[tool.pipeline.site]` that shape the page frame (validated here, at load;
# `base_url` and `port` are validated by `pipeline.site`).
SITE_FRAME_KEYS = frozenset({"name", "logo", "accent", "phone", "email", "address", "nav", "footer_pages"})
_ACCENT_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
_LOGO_SUFFIXES = (".svg", ".png")


@dataclass(frozen=True)
class SiteFrame:
    """Branding and the page frame, from `[tool.pipeline.site]`; every key optional.

    `logo` is a path under `source/`; `nav` and `footer_pages` name articles (as
    `source/<name>.md`); the contact fields are shown as given, never made up.
    """

    name: str = ""  # "" → the project name
    logo: str | None = None
    accent: str = "#0b5cad"
    phone: str | None = None
    email: str | None = None
    address: tuple[str, ...] = ()
    nav: tuple[str, ...] = ()
    footer_pages: tuple[str, ...] = ()

    @property
    def pages(self) -> tuple[str, ...]:
        """The site's own pages (nav, then footer), each once: not listed among the articles."""
        return tuple(dict.fromkeys((*self.nav, *self.footer_pages)))

    @property
    def has_contact(self) -> bool:
        return bool(self.phone or self.email or self.address)


@dataclass(frozen=True)
class Config:
    """The project: where things are and how they are processed."""

    root: Path
    source_lang: str = "en"
    languages: tuple[str, ...] = ("en", "de")
    extensions: tuple[str, ...] = DEFAULT_EXTENSIONS
    extension_configs: dict[str, dict[str, Any]] = field(default_factory=dict)
    prose_fields: tuple[str, ...] = ("title", "description")
    date_locales: dict[str, str] = field(default_factory=lambda: {"en": "en_GB"})
    project_name: str = "articles"
    protected_patterns: tuple[str, ...] = DEFAULT_PROTECTED_PATTERNS
    po_width: int = 79  # catalogs' line width, as msgcat --width; 0: no wrapping (msgcat --no-wrap)
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)
    frame: SiteFrame = field(default_factory=lambda: SiteFrame())

    @property
    def source_dir(self) -> Path:
        return self.root / "source"

    @property
    def locales_dir(self) -> Path:
        return self.root / "locales"

    @property
    def output_dir(self) -> Path:
        return self.root / "output"

    @property
    def pyproject(self) -> Path:
        return self.root / "pyproject.toml"

    @property
    def settings_file(self) -> str:
        """How error messages name the settings file: relative, like every other file."""
        return "pyproject.toml"

    def template_path(self, name: str) -> Path:
        """`locales/templates/<article>.pot`."""
        return self.locales_dir / "templates" / f"{name}.pot"

    def catalog_path(self, lang: str, name: str) -> Path:
        """`locales/<lang>/LC_MESSAGES/<article>.po`, gettext's standard layout."""
        return self.locales_dir / lang / "LC_MESSAGES" / f"{name}.po"

    def rel(self, path: Path) -> str:
        """A path as the user sees it: relative to the project when inside it."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def table(self, name: str) -> dict[str, Any]:
        """A stage's own sub-table, e.g. `[tool.pipeline.mt]` (empty if absent)."""
        return self.tables.get(name, {})

    def check_lang(self, lang: str) -> str:
        """`lang` if it is one of the project's languages, else a usage error."""
        if lang not in self.languages:
            known = ", ".join(self.languages)
            raise UsageError(f"unknown language code '{lang}' (this project has: {known})")
        return lang


def load_config(root: Path) -> Config:
    """Read `root/pyproject.toml`; a missing file or table means all defaults."""
    if not root.is_dir():
        raise UsageError(f"project folder not found: {root}")
    file = root / "pyproject.toml"
    path = "pyproject.toml"  # as messages name it
    table: dict[str, Any] = {}
    if file.is_file():
        try:
            with file.open("rb") as handle:
                data = tomllib.load(handle)
        except tomllib.TOMLDecodeError as exc:
            where = re.search(r"\(at line (\d+), column \d+\)", str(exc))
            message = str(exc)[: where.start()].strip() if where else str(exc)
            raise UsageError(f"invalid TOML: {message}", path, int(where.group(1)) if where else None) from None
        except UnicodeDecodeError:
            raise UsageError("is not valid UTF-8", path) from None
        table = data.get("tool", {}).get("pipeline", {})
        if not isinstance(table, dict):
            raise UsageError("[tool.pipeline] must be a table", path)
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise UsageError(f"unknown key in [tool.pipeline]: {', '.join(unknown)}", path)
    defaults = Config(root=root)
    source_lang = _lang(table.get("source_lang", defaults.source_lang), path, "source_lang")
    languages = tuple(_lang(x, path, "languages") for x in _strings(table, "languages", defaults.languages, path))
    twice = sorted({x for x in languages if languages.count(x) > 1})
    if twice:
        raise UsageError(f"languages: {', '.join(twice)} given twice", path)
    if source_lang not in languages:
        languages = (source_lang, *languages)
    date_locales = dict(defaults.date_locales)
    date_locales.update(_mapping(table, "date_locales", path))
    for lang, loc in date_locales.items():
        _lang(loc, path, f"date_locales.{lang}")
    tables = {}
    for name in SUBTABLES:
        sub = table.get(name, {})
        if not isinstance(sub, dict):
            raise UsageError(f"[tool.pipeline.{name}] must be a table", path)
        tables[name] = sub
    configs = table.get("extension_configs", {})
    if not isinstance(configs, dict) or not all(isinstance(v, dict) for v in configs.values()):
        raise UsageError("extension_configs must be a table of tables", path)
    extensions = _strings(table, "extensions", defaults.extensions, path)
    _check_extensions(extensions, configs, path, root)
    patterns = _strings(table, "protected_patterns", defaults.protected_patterns, path)
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise UsageError(f"protected_patterns: invalid regular expression {pattern!r}: {exc}", path) from None
    project_name = str(table.get("project_name", _project_name(file) or defaults.project_name))
    return Config(
        root=root,
        source_lang=source_lang,
        languages=languages,
        extensions=extensions,
        extension_configs=configs,
        prose_fields=_strings(table, "prose_fields", defaults.prose_fields, path),
        date_locales=date_locales,
        project_name=project_name,
        protected_patterns=patterns,
        po_width=_po_width(table.get("po_width", defaults.po_width), path),
        tables=tables,
        frame=_site_frame(tables["site"], root, project_name, path),
    )


def _site_frame(table: dict[str, Any], root: Path, project_name: str, path: str) -> SiteFrame:
    """The page frame's keys of `[tool.pipeline.site]`, checked (other keys: `pipeline.site`)."""
    where = "[tool.pipeline.site]"

    def text(key: str) -> str | None:
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip() or any(c in value for c in "\r\n"):
            raise UsageError(f"{where} {key} must be one line of text", path)
        return value.strip()

    def names(key: str) -> tuple[str, ...]:
        found = table.get(key, [])
        if not isinstance(found, list) or not all(isinstance(x, str) for x in found):
            raise UsageError(f"{where} {key} must be a list of article names", path)
        for name in found:
            source = root / "source" / f"{name}.md"
            if not name or name.startswith(("/", ".")) or ".." in name.split("/") or not source.is_file():
                raise UsageError(f"{where} {key}: no article source/{name}.md", path)
        return tuple(found)

    accent = text("accent") or SiteFrame.accent
    if not _ACCENT_RE.match(accent):
        raise UsageError(f'{where} accent must be a colour like "#0b5cad", not {accent!r}', path)
    logo = text("logo")
    if logo is not None:
        file = root / "source" / logo
        if (
            Path(logo).is_absolute()
            or ".." in Path(logo).parts
            or not logo.lower().endswith(_LOGO_SUFFIXES)
            or file.is_symlink()
            or not file.is_file()
            or not file.resolve().is_relative_to(root.resolve())
        ):
            raise UsageError(f"{where} logo must be an .svg or .png file under source/, not {logo!r}", path)
    email = text("email")
    if email is not None and not _is_email(email):
        raise UsageError(f"{where} email is not an e-mail address: {email!r}", path)
    address = table.get("address", [])
    if isinstance(address, str):
        address = [address]
    if not isinstance(address, list) or not all(isinstance(x, str) and x.strip() for x in address):
        raise UsageError(f"{where} address must be a list of lines of text", path)
    return SiteFrame(
        name=text("name") or project_name,
        logo=logo,
        accent=accent.lower(),
        phone=text("phone"),
        email=email,
        address=tuple(x.strip() for x in address),
        nav=names("nav"),
        footer_pages=names("footer_pages"),
    )


def _is_email(value: str) -> bool:
    local, at, domain = value.partition("@")
    return (
        bool(local and at)
        and "@" not in domain
        and "." in domain.strip(".")
        and not any(c.isspace() or c in '<>"' for c in value)
    )


def _po_width(value: Any, path: str) -> int:
    # 20..10000: narrower lines help no one, and a typo like 7 or 790000 is caught
    if isinstance(value, bool) or not isinstance(value, int) or (value != 0 and not 20 <= value <= 10000):
        raise UsageError(f"po_width must be 0 (no wrapping) or a line width from 20 to 10000, not {value!r}", path)
    return value


def _check_extensions(extensions: tuple[str, ...], configs: dict[str, Any], path: str, root: Path) -> None:
    """Load the Markdown extensions once, so a typo stops the run before it writes
    anything; and convert a small document, so a setting of the wrong type does too.

    A configuration value must not run code from the project: extensions are
    imported with the project folder and the working folder off `sys.path`, so
    only installed packages are found (`extensions = ["evil"]` beside an `evil.py`
    is an unknown extension), and whatever an import prints is swallowed (`this`).
    Loaded once, a module stays in `sys.modules` for every later Markdown instance.
    """
    import markdown

    sample = '# Title\n\nA *paragraph* with [a link](https://example.org/ "t").\n\n- item\n'
    with extension_errors(extensions, path), _installed_packages_only(root):
        markdown.Markdown(extensions=list(extensions), extension_configs=configs).convert(sample)


@contextlib.contextmanager
def extension_errors(extensions: Sequence[str], path: str) -> Iterator[None]:
    """Whatever the configured Markdown extensions raise inside the block (while
    loading or converting) as one `UsageError` naming the settings file: the one
    wording for every place that builds a Markdown instance."""
    try:
        yield
    except RecursionError:
        raise UsageError(f"cannot load the Markdown extensions {list(extensions)}: they recurse", path) from None
    except Exception as exc:  # anything an extension's own code raises: SyntaxError, TypeError, ...
        detail = f"{type(exc).__name__}: {exc}" if not isinstance(exc, ImportError | AttributeError) else str(exc)
        raise UsageError(f"cannot load the Markdown extensions {list(extensions)}: {detail}", path) from None


@contextlib.contextmanager
def _installed_packages_only(root: Path) -> Iterator[None]:
    """`sys.path` without the working folder and the project folder, stdout and
    stderr captured, for the duration of the block."""
    unsafe = {os.path.realpath(p) for p in (os.getcwd(), root)}
    saved = list(sys.path)
    sys.path[:] = [p for p in sys.path if p not in ("", ".") and os.path.realpath(p) not in unsafe]
    importlib.invalidate_caches()
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            yield
    finally:
        sys.path[:] = saved


def html_lang(code: str) -> str:
    """gettext's `pt_BR` is HTML's `pt-BR`."""
    return code.replace("_", "-")


def _lang(value: Any, path: str, key: str) -> str:
    if not isinstance(value, str):
        raise UsageError(f"{key}: a language code must be a string, not {value!r}", path)
    try:
        Locale.parse(value)
    except (UnknownLocaleError, ValueError):
        raise UsageError(f"{key}: unknown language code '{value}'", path) from None
    return value


def _strings(table: dict[str, Any], key: str, default: tuple[str, ...], path: str) -> tuple[str, ...]:
    value = table.get(key, default)
    if not isinstance(value, list | tuple) or not all(isinstance(x, str) for x in value):
        raise UsageError(f"{key} must be a list of strings", path)
    return tuple(value)


def _mapping(table: dict[str, Any], key: str, path: str) -> dict[str, str]:
    value = table.get(key, {})
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise UsageError(f"{key} must be a table of strings", path)
    return value


def _project_name(path: Path) -> str | None:
    if not path.is_file():
        return None
    with path.open("rb") as handle:
        return tomllib.load(handle).get("project", {}).get("name")
