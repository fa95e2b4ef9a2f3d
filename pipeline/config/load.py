"""`[tool.pipeline]` in the project's pyproject.toml → a frozen `Config`, every table
validated at load.

Every key has a default, so a project without the table works (source language `en`,
editions `en` and `de`, the default extension list). The sub-tables (`mt`, `publish`,
`qa`, `site`) are read here too, into dataclasses (`pipeline.config.settings`; the site's
below), by the same reader: a typo or a wrong type in any of them stops every command with one line,

    pyproject.toml: [tool.pipeline.X] key: problem

and exit 2, before anything is read or written. The stages only consume the result.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import re
import sys
import tomllib
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from babel import Locale, UnknownLocaleError

from pipeline.base.errors import UsageError
from pipeline.config.settings import (
    SETTINGS_FILE,
    Invalid,
    MtSettings,
    Policy,
    QaSettings,
    fail,
    keys,
    read_policies,
    read_table,
    setting,
)

DEFAULT_EXTENSIONS = ("extra", "toc", "sane_lists", "admonition")
# Clinical-trial registry IDs: a changed digit points a reader at another study.
DEFAULT_PROTECTED_PATTERNS = (r"\bNCT\d{8}\b",)
SUBTABLES = ("mt", "publish", "qa", "site")
WHERE = "[tool.pipeline]"
_LOGO_SUFFIXES = (".svg", ".png")
_DATE_LOCALES = {"en": "en_GB"}  # a language's dates formatted as in another locale


def _lang(value: Any) -> str:
    if not isinstance(value, str):
        raise Invalid(f"a language code must be a string, not {value!r}")
    try:
        Locale.parse(value)
    except (UnknownLocaleError, ValueError):
        raise Invalid(f"unknown language code '{value}'") from None
    return value


def _langs(value: tuple[str, ...]) -> tuple[str, ...]:
    languages = tuple(_lang(x) for x in value)
    twice = sorted({x for x in languages if languages.count(x) > 1})
    if twice:
        raise Invalid(f"{', '.join(twice)} given twice")
    return languages


def _date_locales(value: dict[str, Any]) -> dict[str, str]:
    for lang, loc in value.items():
        try:
            _lang(loc)
        except Invalid as exc:
            raise Invalid(exc.problem, sub=lang) from None
    return {**_DATE_LOCALES, **value}


def _extension_configs(value: dict[str, Any]) -> dict[str, dict[str, Any]]:
    if not all(isinstance(v, dict) for v in value.values()):
        raise Invalid("must be a table of tables")
    return value


def _patterns(value: tuple[str, ...]) -> tuple[str, ...]:
    for pattern in value:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise Invalid(f"invalid regular expression {pattern!r}: {exc}") from None
    return value


def _po_width(value: Any) -> int:
    # 20..10000: narrower lines help no one, and a typo like 7 or 790000 is caught
    if isinstance(value, bool) or not isinstance(value, int) or (value != 0 and not 20 <= value <= 10000):
        raise Invalid(f"must be 0 (no wrapping) or a line width from 20 to 10000, not {value!r}")
    return value


# -- [tool.pipeline.site] (the frame's files are checked in `_check_frame`) ---------


def _base_url(value: str) -> str:
    if not _plain_url(value):
        raise Invalid(
            "must be an absolute http(s) URL with a path and nothing else "
            f"(no spaces, query or fragment), not {value!r}"
        )
    return value if value.endswith("/") else value + "/"


def _plain_url(value: str) -> bool:
    """`https://host[:port]/path/`: no user, query, fragment, space or control character."""
    if any(c <= " " or c == "\x7f" or not c.isprintable() for c in value):
        return False
    if any(c in value for c in "?#\\<>\"'`{}|^"):
        return False
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 -- raises on a port that is not a number
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and "@" not in parts.netloc


@dataclass(frozen=True)
class SiteSettings:
    """The site's public address and the preview server's port (`[tool.pipeline.site]`)."""

    base_url: str = setting("http://127.0.0.1:8000/", kind="text", convert=_base_url)
    port: int = setting(8000, kind="int", low=1, high=65535)

    def url(self, path: str) -> str:
        """The absolute URL of a path under `output/`."""
        return self.base_url + path

    @property
    def base_path(self) -> str:
        """The path of `output/` on its server (`/`): where links on a 404 page start."""
        return urlsplit(self.base_url).path or "/"


def _line(value: str) -> str:
    if not value.strip() or any(c in value for c in "\r\n"):
        raise Invalid(f"must be one line of text, not {value!r}")
    return value.strip()


def _accent(value: str) -> str:
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", value.strip()):
        raise Invalid(f'must be a colour like "#0b5cad", not {value!r}')
    return value.strip().lower()


def _email(value: str) -> str:
    value = _line(value)
    local, at, domain = value.partition("@")
    if (
        not (local and at)
        or "@" in domain
        or "." not in domain.strip(".")
        or any(c.isspace() or c in '<>"' for c in value)
    ):
        raise Invalid(f"is not an e-mail address: {value!r}")
    return value


def _address(value: Any) -> tuple[str, ...]:
    lines = [value] if isinstance(value, str) else value
    if not isinstance(lines, list) or not all(isinstance(x, str) and x.strip() for x in lines):
        raise Invalid(f"must be a list of lines of text, not {value!r}")
    return tuple(x.strip() for x in lines)


@dataclass(frozen=True)
class SiteFrame:
    """Branding and the page frame, from `[tool.pipeline.site]`; every key optional.

    `logo` is a path under `source/`; `nav` and `footer_pages` name articles (as
    `source/<name>.md`); the contact fields are shown as given, never made up.
    """

    name: str = setting("", kind="text", convert=_line)  # "" → the project name
    logo: str | None = setting(None, kind="text", convert=_line)
    accent: str = setting("#0b5cad", kind="text", convert=_accent)
    phone: str | None = setting(None, kind="text", convert=_line)
    email: str | None = setting(None, kind="text", convert=_email)
    address: tuple[str, ...] = setting((), convert=_address)
    nav: tuple[str, ...] = setting((), kind="strings")
    footer_pages: tuple[str, ...] = setting((), kind="strings")

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
    source_lang: str = setting("en", convert=_lang)
    languages: tuple[str, ...] = setting(("en", "de"), kind="strings", convert=_langs)
    extensions: tuple[str, ...] = setting(DEFAULT_EXTENSIONS, kind="strings")
    extension_configs: dict[str, dict[str, Any]] = setting(factory=dict, kind="table", convert=_extension_configs)
    prose_fields: tuple[str, ...] = setting(("title", "description"), kind="strings")
    date_locales: dict[str, str] = setting(factory=lambda: dict(_DATE_LOCALES), kind="table", convert=_date_locales)
    project_name: str = setting("articles", kind="text")
    protected_patterns: tuple[str, ...] = setting(DEFAULT_PROTECTED_PATTERNS, kind="strings", convert=_patterns)
    po_width: int = setting(79, convert=_po_width)  # catalogs' line width, as msgcat --width; 0: no wrapping
    qa: QaSettings = field(default_factory=QaSettings)
    mt: MtSettings = field(default_factory=MtSettings)
    policies: dict[str, Policy] = field(default_factory=dict)  # per language
    site: SiteSettings = field(default_factory=SiteSettings)
    frame: SiteFrame = field(default_factory=SiteFrame)

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
        return SETTINGS_FILE

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

    def check_lang(self, lang: str) -> str:
        """`lang` if it is one of the project's languages, else a usage error."""
        if lang not in self.languages:
            known = ", ".join(self.languages)
            raise UsageError(f"unknown language code '{lang}' (this project has: {known})")
        return lang


def load_config(root: Path, checks: Collection[str] | None = None) -> Config:
    """Read and validate `root/pyproject.toml` (a missing file or table means all
    defaults). `checks`: the names of the QA checks, which `[tool.pipeline.qa]` may
    name (the review stage registers them; None: not checked)."""
    if not root.is_dir():
        raise UsageError(f"project folder not found: {root}")
    data = _read_toml(root / "pyproject.toml")
    tool, project = data.get("tool", {}), data.get("project", {})
    table = tool.get("pipeline", {}) if isinstance(tool, dict) else {}
    if not isinstance(table, dict):
        raise UsageError(f"{WHERE}: must be a table", SETTINGS_FILE)
    name = project.get("name") if isinstance(project, dict) else None
    base = Config(root=root, project_name=name if isinstance(name, str) else "articles")
    config = read_table(Config, table, WHERE, base, also=SUBTABLES)
    if config.source_lang not in config.languages:
        config = replace(config, languages=(config.source_lang, *config.languages))
    _check_extensions(config.extensions, config.extension_configs, root)
    sub = {name: table.get(name, {}) for name in SUBTABLES}
    qa = read_table(QaSettings, sub["qa"], "[tool.pipeline.qa]")
    unknown = qa.unknown_check(checks) if checks is not None else None
    if unknown is not None:
        raise fail(
            "[tool.pipeline.qa]", unknown[0], f"unknown check '{unknown[1]}' (known: {', '.join(sorted(checks))})"
        )
    site = "[tool.pipeline.site]"
    frame = read_table(SiteFrame, sub["site"], site, also=keys(SiteSettings))
    return replace(
        config,
        qa=qa,
        mt=read_table(MtSettings, sub["mt"], "[tool.pipeline.mt]"),
        policies=read_policies(sub["publish"], config.languages),
        site=read_table(SiteSettings, sub["site"], site, also=keys(SiteFrame)),
        frame=_check_frame(replace(frame, name=frame.name or config.project_name), root),
    )


def _read_toml(file: Path) -> dict[str, Any]:
    if not file.is_file():
        return {}
    try:
        with file.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        message = str(exc)[: where.start()].strip() if where else str(exc)
        raise UsageError(f"invalid TOML: {message}", SETTINGS_FILE, int(where.group(1)) if where else None) from None
    except UnicodeDecodeError:
        raise UsageError("is not valid UTF-8", SETTINGS_FILE) from None


def _check_frame(frame: SiteFrame, root: Path) -> SiteFrame:
    """The frame's references to files: the logo, and the articles nav and footer name."""
    where = "[tool.pipeline.site]"
    for key in ("nav", "footer_pages"):
        for name in getattr(frame, key):
            source = root / "source" / f"{name}.md"
            if not name or name.startswith(("/", ".")) or ".." in name.split("/") or not source.is_file():
                raise fail(where, key, f"no article source/{name}.md")
    logo = frame.logo
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
            raise fail(where, "logo", f"must be an .svg or .png file under source/, not {logo!r}")
    return frame


def _check_extensions(extensions: tuple[str, ...], configs: dict[str, Any], root: Path) -> None:
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
    with extension_errors(extensions), _installed_packages_only(root):
        markdown.Markdown(extensions=list(extensions), extension_configs=configs).convert(sample)


@contextlib.contextmanager
def extension_errors(extensions: Sequence[str], path: str = SETTINGS_FILE) -> Iterator[None]:
    """Whatever the configured Markdown extensions raise inside the block (while
    loading or converting) as one `UsageError` naming the settings file: the one
    wording for every place that builds a Markdown instance."""
    try:
        yield
    except RecursionError:
        problem = f"cannot load the Markdown extensions {list(extensions)}: they recurse"
        raise UsageError(f"{WHERE} extensions: {problem}", path) from None
    except Exception as exc:  # anything an extension's own code raises: SyntaxError, TypeError, ...
        detail = f"{type(exc).__name__}: {exc}" if not isinstance(exc, ImportError | AttributeError) else str(exc)
        problem = f"cannot load the Markdown extensions {list(extensions)}: {detail}"
        raise UsageError(f"{WHERE} extensions: {problem}", path) from None


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
