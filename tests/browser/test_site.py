"""The course website in a real browser: every page offline, complete and accessible.

Builds the site (``book/build.py``, as ``make site`` does, but with a sample
public address so the launch links exist) into a temporary folder, serves it
on 127.0.0.1 and opens every page in headless Chromium. A page fails on any
request to another host (such requests are blocked, so nothing leaves the
machine), any 4xx/5xx, an image that does not decode, math left as raw TeX, a
console error, a broken internal link or anchor, a text output that needs
horizontal scrolling, a lesson without its Binder and Colab links, and a
serious or critical axe-core violation in the page's own content (theme
violations are printed, not failed: see README, Accessibility).

Run with ``pytest tests/browser/test_site.py -m browser -rP`` (prints timings and the axe report).
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urldefrag, urlparse

import labdriver
import pytest

REPO = Path(__file__).resolve().parents[2]
SAMPLE_REPOSITORY = "https://github.com/example-org/model-collapse-course"
MISSING = labdriver.chromium_missing_reason()
try:
    import axe_playwright_python  # noqa: F401
    import jupyter_book  # noqa: F401
except ImportError as error:
    MISSING = MISSING or f"{error.name} is not installed; run `make site` once (site extra)"

pytestmark = [pytest.mark.browser, pytest.mark.skipif(MISSING is not None, reason=str(MISSING))]

#: axe-core impacts that fail the test when found in our own content.
BLOCKING = {"serious", "critical"}
#: Where a page's own content is; everything else (navigation, header, footer) is the theme's.
CONTENT = "article.bd-article"
#: Console errors known to be harmless, each with its reason.
HARMLESS_CONSOLE = {
    # sphinx-thebe 0.3.1 declares this constant in two scripts; live code cells are off anyway.
    "Identifier 'THEBE_JS_URL' has already been declared",
    # pydata-sphinx-theme on a first visit (nothing in localStorage): it falls back to "auto".
    "Got invalid theme mode: . Resetting to auto.",
}
#: axe-core runs: every rule but colour contrast, on the whole page for the pages in
#: SAMPLE_PAGES and on the page's own content elsewhere (the theme around it is the same on
#: every page, and only violations in our content fail the test); then colour contrast on
#: the content of the SAMPLE_PAGES only, without syntax-highlighted code (the theme's
#: Pygments colours) and typeset math (MathJax's markup): on a lesson page it takes 5-10 times
#: longer than all other rules together, and every page's text has the same theme colours.
#: ``preload: false``: axe would otherwise re-fetch the theme's stylesheets itself, resolving
#: their @import wrongly (a 404).
AXE_RUNS = (
    (None, {"preload": False, "rules": {"color-contrast": {"enabled": False}}}),
    ({"include": [[CONTENT]], "exclude": [["mjx-container"], ["div.highlight"]]},
     {"preload": False, "runOnly": ["color-contrast"]}),
)
SAMPLE_PAGES = ("index.html", "notebooks/01_mechanism.html", "solutions/01_mechanism.html")

# Math left unrendered: MyST math elements MathJax did not replace, and TeX in the text.
_UNTYPESET = """() => [...document.querySelectorAll('.math')]
    .filter(m => !m.querySelector('mjx-container')).map(m => m.textContent.slice(0, 80))"""
_PROSE = f"""() => {{
    const article = (document.querySelector('{CONTENT}') ?? document.body).cloneNode(true);
    article.querySelectorAll('pre, code, mjx-container, .cell_input').forEach(e => e.remove());
    return article.textContent;
}}"""
_TEXT = f"() => (document.querySelector('{CONTENT}') ?? document.body).innerText"
RAW_TEX = re.compile(r"\\(?:frac|sigma|mu|sum|mathbb|mathrm|hat|left|right|operatorname|"
                     r"text|cdot|sqrt|log|exp|le|ge|approx)\b|\$[^$\s][^$]{0,80}\$")

# Every image loads eagerly and decodes; returns the ones that do not.
_BROKEN_IMAGES = """async () => {
    const broken = [];
    for (const img of document.images) {
        img.loading = 'eager';
        try { await img.decode(); } catch (e) { broken.push(img.getAttribute('src')); continue; }
        if (!img.naturalWidth) broken.push(img.getAttribute('src'));
    }
    return broken;
}"""
_LINKS_AND_IDS = """() => ({
    links: [...document.querySelectorAll('a[href]')].map(a => a.href),
    ids: [...document.querySelectorAll('[id]')].map(e => e.id),
    footer: document.querySelector('footer.bd-footer-content')?.innerText ?? '',
    footer_links: [...document.querySelectorAll('footer.bd-footer-content a[href]')]
        .map(a => a.href),
})"""
# Text outputs (check results, printed summaries) that would need horizontal scrolling.
_SCROLLING_OUTPUTS = """() => [...document.querySelectorAll('div.cell_output pre')]
    .filter(p => p.scrollWidth > p.clientWidth + 1).map(p => p.textContent.slice(0, 80))"""
_IN_CONTENT = f"selector => document.querySelector(selector)?.closest('{CONTENT}') !== null"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A fresh build of the site, served on a free loopback port: ``(base URL, folder)``."""
    from book import build

    start = time.monotonic()
    html = build.build(repository=SAMPLE_REPOSITORY, branch="main",
                       workdir=tmp_path_factory.mktemp("site"))
    print(f"site built in {time.monotonic() - start:.1f} s")
    handler = functools.partial(_QuietHandler, directory=str(html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", html
    finally:
        server.shutdown()
        server.server_close()


def pages(html: Path) -> list[str]:
    """Every HTML page of the site, relative to its root (Sphinx's own index pages too)."""
    return sorted(p.relative_to(html).as_posix() for p in html.rglob("*.html")
                  if "_static" not in p.parts)


def axe_report(violations: list[dict]) -> list[str]:
    """One line per rule: impact, rule id, how many elements, help text."""
    return [f"{v['impact']:>8}  {v['id']}  ({len(v['nodes'])} element(s)): {v['help']}"
            for v in sorted(violations, key=lambda v: (v["impact"] or "", v["id"]))]


def print_counts(results: dict[str, dict], wheres: tuple[str, ...]) -> None:
    """One line per (where, impact, rule): how many elements over all ``results``."""
    counts: Counter = Counter()
    for found in results.values():
        for where in wheres:
            for violation in found[where]:
                counts[(where, violation["impact"], violation["id"])] += len(violation["nodes"])
    for (where, impact, rule), count in sorted(counts.items()):
        print(f"  {where:10} {impact:>8}  {rule}: {count}")


def visit(page, url: str, local: str, sample: bool = True) -> dict:
    """Open ``url`` in ``page``; return what it requested, logged and showed (see module
    docstring). One page visits every URL in turn: a new browser page per URL cost about
    0.4 CPU-seconds more each."""
    from axe_playwright_python.sync_playwright import Axe

    found: dict = {"external": [], "http_errors": [], "console": []}

    def route(route) -> None:
        if route.request.url.startswith((local, "data:", "blob:", "about:")):
            route.continue_()
        else:  # nothing leaves the machine
            found["external"].append(route.request.url)
            route.abort()

    listeners = {
        "response": lambda r: r.status >= 400 and found["http_errors"].append(
            f"{r.status} {r.url}"),
        "console": lambda m: m.type == "error" and m.text not in HARMLESS_CONSOLE
        and found["console"].append(m.text),
        "pageerror": lambda e: e.message not in HARMLESS_CONSOLE
        and found["console"].append(e.message),
    }
    page.route("**/*", route)
    for event, listener in listeners.items():
        page.on(event, listener)
    try:
        page.goto(url, wait_until="load")
        page.evaluate("async () => { if (window.MathJax?.startup) "
                      "await window.MathJax.startup.promise; }")
        found["untypeset"] = page.evaluate(_UNTYPESET)
        found["text"] = page.evaluate(_TEXT)
        found["prose"] = page.evaluate(_PROSE)
        found["raw_tex"] = RAW_TEX.findall(found["prose"])
        found["broken_images"] = page.evaluate(_BROKEN_IMAGES)
        found["scrolling"] = page.evaluate(_SCROLLING_OUTPUTS)
        found.update(page.evaluate(_LINKS_AND_IDS))
        # copies, taken before axe's own requests
        found = {key: value if isinstance(value, str) else list(value)
                 for key, value in found.items()}
        violations = []
        (_, rules), contrast = AXE_RUNS
        runs = [(None, rules)]
        if page.locator(CONTENT).count():
            runs = [(None, rules), contrast] if sample else [({"include": [[CONTENT]]}, rules)]
        for context, options in runs:
            violations += Axe().run(page, context=context, options={
                "resultTypes": ["violations"], **options}).response["violations"]
        found["ours"], found["theme"] = [], []
        for violation in violations:
            ours = [n for n in violation["nodes"] if page.evaluate(_IN_CONTENT, n["target"][0])]
            theirs = [n for n in violation["nodes"] if n not in ours]
            for key, nodes in (("ours", ours), ("theme", theirs)):
                if nodes:
                    found[key].append({**violation, "nodes": nodes})
    finally:
        for event, listener in listeners.items():
            page.remove_listener(event, listener)
        page.unroute("**/*", route)
    return found


def broken_links(results: dict[str, dict], base: str, html: Path) -> list[str]:
    """Links between the visited pages to a missing file, or to a missing anchor."""
    problems = []
    for name, found in results.items():
        for link in found["links"]:
            target, fragment = urldefrag(link)
            if not target.startswith(base):
                continue
            path = urlparse(target).path.removeprefix(urlparse(base).path) or "index.html"
            path = path + "index.html" if path.endswith("/") else path
            if not (html / path).exists():
                problems.append(f"{name}: broken link to {path}")
            elif fragment and path in results and fragment not in results[path]["ids"]:
                problems.append(f"{name}: link to a missing anchor {path}#{fragment}")
    return problems


@pytest.fixture(scope="module")
def visited(site, browser) -> dict[str, dict]:
    """Every page of the site visited once (:func:`visit`), by its path from the root."""
    base, html = site
    start = time.monotonic()
    page = browser.new_page()
    try:
        results = {name: visit(page, base + name, base, sample=name in SAMPLE_PAGES)
                   for name in pages(html)}
    finally:
        page.close()
    print(f"{len(results)} pages visited in {time.monotonic() - start:.1f} s")
    return results


def test_every_page_works_offline_and_is_accessible(site, visited) -> None:
    base, html = site
    results = visited
    problems = []
    for name, found in results.items():
        for key in ("external", "http_errors", "console", "untypeset", "raw_tex",
                    "broken_images", "scrolling"):
            if found[key]:
                problems.append(f"{name}: {key}: {found[key][:3]}")
        blocking = [v for v in found["ours"] if v["impact"] in BLOCKING]
        problems += [f"{name}: axe, our content: {line}" for line in axe_report(blocking)]
    problems += broken_links(results, base, html)
    print(f"{len(results)} pages checked; axe-core violations (where, impact, rule: "
          "elements over all pages):")
    print_counts(results, ("ours", "theme"))
    assert problems == [], "\n".join(problems)


def test_every_lesson_page_has_binder_and_colab_links(visited) -> None:
    lessons = sorted((REPO / "notebooks").glob("*.ipynb"))
    assert lessons
    for lesson in lessons:
        hrefs = visited[f"notebooks/{lesson.stem}.html"]["links"]
        path = f"notebooks/{lesson.name}"
        assert any("mybinder.org" in h and h.endswith(f"urlpath=lab/tree/{path}")
                   for h in hrefs), f"{lesson.name}: no Binder link"
        assert any(h.startswith("https://colab.research.google.com/github/")
                   and h.endswith(f"/blob/main/{path}") for h in hrefs), \
            f"{lesson.name}: no Colab link"


def test_pages_work_from_file_urls(site, browser) -> None:
    """Opened straight from disk: styles, figures and typeset math, and no request elsewhere."""
    _, html = site
    lesson = sorted((html / "notebooks").glob("*.html"))[1]
    page = browser.new_page()
    try:
        found = visit(page, lesson.as_uri(), "file://", sample=False)
    finally:
        page.close()
    assert found["external"] == [] and found["broken_images"] == []
    assert found["untypeset"] == [] and found["raw_tex"] == []


BROKEN_PAGE = """<!DOCTYPE html><html lang="en"><head><title>broken</title></head><body><main>
<article class="bd-article"><h1>A broken page</h1>
<p>Raw TeX: $\\\\frac{a}{b}$ and <span class="math">\\\\(x^2\\\\)</span>.</p>
<img src="missing.png" alt="a missing file"><img src="data:image/png;base64,AAAA">
<img src="https://example.org/figure.png" alt="an image on another host">
<a href="nowhere.html">a broken link</a>
<div class="cell_output"><div class="output"><pre style="white-space: pre">{long}</pre></div></div>
</article><script>console.error("something broke")</script></main></body></html>"""


def test_the_page_checks_catch_what_they_look_for(site, browser) -> None:
    """A page with every problem the site test looks for: each one is reported."""
    base, html = site
    (html / "selftest.html").write_text(BROKEN_PAGE.replace("{long}", "✗ " + "x" * 400))
    page = browser.new_page()
    try:
        visit(page, base + "index.html", base)  # a page before: nothing of it is reported
        found = visit(page, base + "selftest.html", base)
        content_only = visit(page, base + "selftest.html", base, sample=False)
        after = visit(page, base + "index.html", base)  # nor anything of it afterwards
    finally:
        page.close()
        (html / "selftest.html").unlink()
    for key in ("external", "http_errors", "console", "broken_images", "scrolling"):
        assert after[key] == [], (key, after[key])
    # the content-only audit of most pages finds the same violation in our content
    assert "image-alt" in {v["id"] for v in content_only["ours"] if v["impact"] in BLOCKING}
    assert set(found["external"]) == {"https://example.org/figure.png"}
    assert any("missing.png" in error for error in found["http_errors"])
    assert found["console"] and found["untypeset"] and found["raw_tex"]
    assert found["broken_images"] and found["scrolling"]
    assert "image-alt" in {v["id"] for v in found["ours"] if v["impact"] in BLOCKING}
    assert broken_links({"selftest.html": found}, base, html) == [
        "selftest.html: broken link to nowhere.html"]


def test_the_site_links_home_states_its_version_and_licences(visited) -> None:
    """Every page's footer: version and commit, the repository and its issues, the licences;
    the references page links its papers; the landing page's zip downloads."""
    import subprocess
    import urllib.request

    commit = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=REPO,
                            capture_output=True, text=True).stdout.strip()
    for name, found in visited.items():
        footer = found["footer"]
        assert "version 0.1.0" in footer and (not commit or f"commit {commit}" in footer), (
            name, footer)
        assert "CC BY 4.0" in footer and "MIT" in footer and "PSF" in footer, name
        assert "Last updated" not in footer, name
        assert SAMPLE_REPOSITORY in found["footer_links"], name
        assert f"{SAMPLE_REPOSITORY}/issues" in found["footer_links"], name
    assert "https://arxiv.org/abs/2305.17493" in visited["docs/references.html"]["links"]
    zips = [link for link in visited["index.html"]["links"] if link.endswith(".zip")]
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # the local server
    with opener.open(zips[0]) as response:
        assert response.status == 200 and response.read(2) == b"PK"
    text = visited["docs/license.html"]["text"]
    assert "CC BY 4.0" in text and "MIT License" in text
    assert "Python Software Foundation" in text
    assert "The figure above is the explorer at its default settings" in (
        visited["notebooks/00_start_here.html"]["text"])
