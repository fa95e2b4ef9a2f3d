"""`make bench`: the pipeline at N = 100 and 1,000 articles, against the floor and mdpo.

Not a test: it prints figures. For each N it generates a deterministic corpus of
articles modelled on the ALS article (front matter, sections, a bullet list, a
trials table with registry links, a long reference list marked not to translate, a
services list), creates fully translated German catalogs, and measures on the same
corpus, each in a fresh process:

* the pipeline's stages — extract, update, build (both editions) — and the full
  pipeline in one pass (`publish`) with 1 job and with the default jobs;
* a no-op rerun, and a rerun after one article changed;
* the floor: `markdown.markdown(body, extensions=...)` once per article per language;
* mdpo 2.1.4 (md2po + po2md, in-process), installed into `.cache/bench-venv` only.

Wall time, per-article cost and peak RSS (the process and its workers) are printed,
then the targets of the performance issue with the measured ratios.

    python -m tests.bench [--sizes 100 1000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import textwrap
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXTENSIONS = ["extra", "toc", "sane_lists", "admonition"]
BENCH_VENV = ROOT / ".cache" / "bench-venv"

WORDS = (  # noqa: SIM905 - a sentence of words reads better than a list of strings
    "stem cell therapy patients disease motor neurons spinal cord muscle weakness clinical trial treatment "
    "mesenchymal secretome neurological symptoms diagnosis progression inflammation oxidative stress "
    "proteins brain cortex research effects safety quality life survival onset neurologist examination "
    "imaging blood function respiratory speech swallowing reflexes cells factors growth regeneration"
).split()


# -- the corpus ---------------------------------------------------------------------


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 22))]
    if rng.random() < 0.3:
        i = rng.randrange(len(words))
        words[i] = f"**{words[i]}**"
    if rng.random() < 0.2:
        i = rng.randrange(len(words))
        words[i] = f"[{words[i]}](https://example.org/{rng.choice(WORDS)})"
    if rng.random() < 0.15:
        words.append(f"({rng.randint(1, 9)}.{rng.randint(0, 9)}:1)")
    return " ".join(words).capitalize() + "."


def plain(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14))).capitalize() + "."


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(2, 6)))


def article(i: int) -> str:
    rng = random.Random(i)
    parts = [
        "---",
        f"title: {json.dumps(plain(rng)[:-1] + '?')}",
        f"date: {2015 + i % 10}-{1 + i % 12:02d}-{1 + i % 28:02d}",
        "author: Nina Klein",
        f"slug: article-{i:04d}",
        f"description: {json.dumps(plain(rng))}",
        "lang: en",
        "---",
        "",
        paragraph(rng),
        "",
    ]
    for _ in range(rng.randint(2, 6)):
        parts += [f"## {sentence(rng)[:-1]}?", ""]
        parts += [p for _ in range(rng.randint(1, 4)) for p in (paragraph(rng), "")]
        if rng.random() < 0.5:
            parts += [f"- {sentence(rng)}" for _ in range(rng.randint(3, 7))] + [""]
    if rng.random() < 0.6:
        parts += [
            "## Clinical Trials",
            "",
            "| Study Name | Intervention | Status | ID and Link |",
            "| --- | --- | --- | --- |",
        ]
        for _ in range(rng.randint(3, 9)):
            nct = f"NCT{rng.randint(10**7, 10**8 - 1):08d}"
            status = rng.choice(["completed", "unknown", "active"])
            parts.append(
                f"| {sentence(rng)} | {sentence(rng)} | {status} | [{nct}](https://clinicaltrials.gov/study/{nct}) |"
            )
        parts.append("")
    parts += ["## Patient Services", ""] + [f"- {sentence(rng)}" for _ in range(5)] + [""]
    if rng.random() < 0.8:
        parts += ["## References", "", "<!-- i18n: skip -->", ""]
        parts += [
            f"{n}. {sentence(rng)} *J Med.* {2000 + n % 20};{n}:{n * 3}–{n * 3 + 9}."
            for n in range(1, rng.randint(10, 80))
        ]
        parts.append("")
    return "\n".join(parts)


def make_corpus(root: Path, n: int) -> None:
    """A project with `n` articles and fully translated German catalogs."""
    (root / "source").mkdir(parents=True)
    (root / "locales").mkdir()
    (root / "pyproject.toml").write_text(
        textwrap.dedent("""\
        [tool.pipeline]
        project_name = "Bench"
        languages = ["en", "de"]
        [tool.pipeline.publish]
        min_reviewed = 0
        """),
        encoding="utf-8",
    )
    for i in range(n):
        (root / "source" / f"article-{i:04d}.md").write_text(article(i), encoding="utf-8")
    measure(root, "update", jobs=None)  # create the catalogs, then translate them all
    import polib

    for po_path in (root / "locales" / "de" / "LC_MESSAGES").glob("*.po"):
        po = polib.pofile(str(po_path))
        for entry in po:
            entry.msgstr = entry.msgid if entry.msgctxt == "slug" else f"{entry.msgid} [de]"
        po.save(str(po_path))
    shutil.rmtree(root / ".cache", ignore_errors=True)


# -- measuring ----------------------------------------------------------------------

_RUN = """
import json, resource, sys, time
from pathlib import Path
from pipeline.config import load_config
from pipeline.publish import run
config = load_config(Path(sys.argv[1]))
step, jobs = sys.argv[2], (int(sys.argv[3]) or None)
kw = {"extract": dict(update=True, build=False, templates_only=True),
      "update": dict(update=True, build=False), "build": dict(update=False, build=True),
      "publish": dict(update=True, build=True)}[step]
t = time.perf_counter()
report = run(config, jobs=jobs, **kw)
wall = time.perf_counter() - t
assert not report.errors, report.errors
rss = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
print(json.dumps({"wall": wall, "rss_mb": rss / 1024, "skipped": report.skipped}))
"""

_FLOOR = """
import json, resource, sys, time
from pathlib import Path
import markdown
from pipeline.article import split_front_matter
bodies = [split_front_matter(p.read_text(encoding="utf-8"), p.name)[1] for p in sorted(Path(sys.argv[1]).glob("source/*.md"))]
languages, extensions = int(sys.argv[2]), json.loads(sys.argv[3])
t = time.perf_counter()
for body in bodies:
    for _ in range(languages):
        markdown.markdown(body, extensions=extensions)
wall = time.perf_counter() - t
print(json.dumps({"wall": wall, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

_MDPO = """
import json, resource, sys, tempfile, time, os
from pathlib import Path
from mdpo.md2po import markdown_to_pofile
from mdpo.po2md import pofile_to_markdown
texts = [p.read_text(encoding="utf-8") for p in sorted(Path(sys.argv[1]).glob("source/*.md"))]
tmp = tempfile.mkdtemp()
md2po = po2md = 0.0
for i, text in enumerate(texts):
    t = time.perf_counter()
    po = markdown_to_pofile(text)
    md2po += time.perf_counter() - t
    for entry in po:
        entry.msgstr = entry.msgid + " [de]"
    path = os.path.join(tmp, f"{i}.po")
    po.save(path)
    t = time.perf_counter()
    pofile_to_markdown(text, path)
    po2md += time.perf_counter() - t
print(json.dumps({"wall": md2po + po2md, "md2po": md2po, "po2md": po2md,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def measure(root: Path, step: str, jobs: int | None) -> dict:
    """Run one pipeline step in a fresh interpreter; its wall time and peak RSS."""
    out = subprocess.run(
        [sys.executable, "-c", _RUN, str(root), step, str(jobs or 0)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env=os.environ | {"PYTHONPATH": str(ROOT)},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def floor(root: Path, languages: int = 2) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", _FLOOR, str(root), str(languages), json.dumps(EXTENSIONS)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env=os.environ | {"PYTHONPATH": str(ROOT)},
    )
    return json.loads(out.stdout)


def mdpo(root: Path) -> dict | None:
    python = BENCH_VENV / "bin" / "python"
    if not python.exists():
        print("installing mdpo 2.1.4 into .cache/bench-venv (the bench environment only) ...", flush=True)
        venv.create(BENCH_VENV, with_pip=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "mdpo==2.1.4"], check=True)
    out = subprocess.run([str(python), "-c", _MDPO, str(root)], capture_output=True, text=True)
    if out.returncode != 0:
        print(f"mdpo failed: {out.stderr.strip().splitlines()[-1:]}")
        return None
    return json.loads(out.stdout)


def reset(root: Path) -> None:
    """Forget every cache and output: the next run does everything."""
    shutil.rmtree(root / ".cache", ignore_errors=True)
    shutil.rmtree(root / "output", ignore_errors=True)


def bench(n: int, keep: Path | None) -> dict:
    root = Path(tempfile.mkdtemp(prefix=f"bench-{n}-")) if keep is None else keep / f"n{n}"
    shutil.rmtree(root, ignore_errors=True)
    make_corpus(root, n)
    size = sum(p.stat().st_size for p in (root / "source").glob("*.md"))
    print(f"\nN = {n}: {size / n / 1024:.1f} KB per article on average, corpus in {root}", flush=True)
    results: dict[str, dict] = {}
    for label, step, jobs in [("extract", "extract", 1), ("update", "update", 1), ("build (en+de)", "build", 1)]:
        reset(root)
        if step == "build":
            measure(root, "update", None)  # build reads up-to-date catalogs
            shutil.rmtree(root / "output", ignore_errors=True)
        results[label] = measure(root, step, jobs)
    reset(root)
    results["publish, 1 job"] = measure(root, "publish", 1)
    reset(root)
    results["publish, default jobs"] = measure(root, "publish", None)
    results["no-op rerun"] = measure(root, "publish", None)
    changed = root / "source" / "article-0000.md"
    changed.write_text(changed.read_text(encoding="utf-8").replace("## Patient Services", "## Our Patient Services"))
    results["one article changed"] = measure(root, "publish", None)
    results["floor (markdown x2)"] = floor(root)
    found = mdpo(root)
    if found:
        results["mdpo md2po+po2md"] = found
    print(f"{'stage':28} {'wall s':>9} {'ms/article':>11} {'peak RSS MB':>12}")
    for label, r in results.items():
        print(f"{label:28} {r['wall']:9.2f} {r['wall'] / n * 1000:11.2f} {r['rss_mb']:12.1f}")
    if found:
        print(
            f"  (mdpo: md2po {found['md2po'] / n * 1000:.2f} ms + po2md {found['po2md'] / n * 1000:.2f} ms per article)"
        )
    if keep is None:
        shutil.rmtree(root, ignore_errors=True)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--keep", type=Path, help="keep the corpora in this folder")
    args = parser.parse_args()
    print(f"CPUs: {os.cpu_count()}; default jobs: {len(os.sched_getaffinity(0))}")
    all_results = {n: bench(n, args.keep) for n in args.sizes}
    big, small = max(args.sizes), min(args.sizes)
    r = all_results[big]
    fl = r["floor (markdown x2)"]["wall"]
    full1, fulln = r["publish, 1 job"]["wall"], r["publish, default jobs"]["wall"]
    print(f"\nTargets at N = {big}:")
    checks = [
        ("full pipeline, 1 job <= 1.5x floor", full1 / fl, full1 / fl <= 1.5),
        ("full pipeline, default jobs < floor", fulln / fl, fulln < fl),
        ("no-op rerun <= 5% of full run", r["no-op rerun"]["wall"] / fulln, r["no-op rerun"]["wall"] <= 0.05 * fulln),
        (
            "one changed article <= 2% of full run",
            r["one article changed"]["wall"] / fulln,
            r["one article changed"]["wall"] <= 0.02 * fulln,
        ),
    ]
    if "mdpo md2po+po2md" in r:
        ratio = r["mdpo md2po+po2md"]["wall"] / fulln
        checks.append(("per article >= 2x faster than mdpo", ratio, ratio >= 2))
    if small != big:
        rss = r["publish, default jobs"]["rss_mb"] / all_results[small]["publish, default jobs"]["rss_mb"]
        checks.append((f"peak RSS N={big} <= 1.5x N={small}", rss, rss <= 1.5))
    for label, value, ok in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {label}: {value:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
