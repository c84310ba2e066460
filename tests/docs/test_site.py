"""The documentation site builds, renders its math offline and fetches nothing from outside.

``mkdocs build --strict`` catches broken links and missing snippets, but not a page whose
math never renders or that loads a script from a CDN: those only show in a browser. So the
site is built into a temporary folder, served on 127.0.0.1, and every page is loaded in
headless chromium, which dumps the DOM after the scripts have run and writes a network log.

chromium is Debian's package (``/usr/bin/chromium``). Without it the browser tests are
skipped on a developer's machine and fail in CI (environment variable ``CI`` set).
"""

from __future__ import annotations

import functools
import html as html_lib
import ipaddress
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"

#: Folders under docs/ holding fragments included into pages, not pages themselves.
FRAGMENT_DIRS = ("_snippets", "_generated")

#: Source text of math that did not render. Visible text must contain none of these.
RAW_LATEX = ("\\begin{", "\\frac", "\\partial", "\\(", "\\[", "$$", "\\pdv", "\\operatorname")

#: Elements whose text is not prose a reader sees as such (code may show backslashes).
NON_PROSE_TAGS = frozenset(
    {"script", "style", "code", "pre", "annotation", "template", "noscript", "textarea"}
)

#: Flags from the docs recipe (docs-recipe.md): a clean profile, no background services.
#: The virtual time budget lets the page's scripts (MathJax) finish before the DOM is dumped.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-features=AutofillServerCommunication",
    "--virtual-time-budget=10000",
    # The width of a common laptop screen: wide tables and images are judged at this size.
    "--window-size=1280,900",
)

BROWSER_PARALLELISM = 2


def _doc_pages() -> list[str]:
    """Every Markdown page under docs/, relative to docs/, fragments excluded."""
    pages = []
    for path in sorted(DOCS.rglob("*.md")):
        rel = path.relative_to(DOCS)
        if rel.parts[0] not in FRAGMENT_DIRS:
            pages.append(rel.as_posix())
    return pages


def _url_path(md_page: str) -> str:
    """The site path of a page under use_directory_urls: spec/tanh.md -> spec/tanh/."""
    stem = md_page.removesuffix(".md")
    if stem == "index":
        return ""
    if stem.endswith("/index"):
        return stem.removesuffix("index")
    return stem + "/"


PAGES = _doc_pages()
#: Every page the browser loads: each docs page and the site's 404 page.
SITE_PAGES = [_url_path(p) for p in PAGES] + ["404.html"]


def _html_file(site: Path, url_path: str) -> Path:
    return site / url_path / "index.html" if not url_path.endswith(".html") else site / url_path


# --- HTML helpers -------------------------------------------------------------------------


class _PageParser(HTMLParser):
    """Collect every start tag with its attributes and the visible prose text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        if tag in NON_PROSE_TAGS:
            self._skip_depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in NON_PROSE_TAGS and self._skip_depth:
            self._skip_depth -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            self.text.append(data)


def _parse(html: str) -> _PageParser:
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    return parser


def _count_tags(parser: _PageParser, name: str) -> int:
    return sum(1 for tag, _ in parser.tags if tag == name)


def _count_math(parser: _PageParser) -> int:
    """Math elements written by pymdownx.arithmatex (generic mode) in the built HTML."""
    return sum(1 for _, attrs in parser.tags if "arithmatex" in attrs.get("class", "").split())


def _is_external(url: str) -> bool:
    return urlsplit(url.strip()).scheme.lower() in ("http", "https") or url.strip().startswith("//")


def _is_loopback(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    host = parts.hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# --- building and serving ----------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site built with ``mkdocs build --strict`` into a temporary folder."""
    out = tmp_path_factory.mktemp("site")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    # cwd is the repository root: pymdownx.snippets and mkdocstrings resolve paths from it.
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if proc.returncode != 0:
        pytest.fail(
            f"mkdocs build --strict failed (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
        )
    return out


#: A script served with every page (not part of the site) that measures its layout in the
#: browser; its result is a ``<pre id="gradspec-layout">`` in the dumped DOM.
MEASURE_SCRIPT = Path(__file__).with_name("measure_layout.js")
_MEASURE_URL = "/__gradspec_measure_layout.js"


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == _MEASURE_URL:
            return self._send(MEASURE_SCRIPT.read_bytes(), "text/javascript")
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file():
            html = path.read_text(encoding="utf-8")
            tag = f'<script src="{_MEASURE_URL}"></script></body>'
            return self._send(html.replace("</body>", tag, 1).encode(), "text/html")
        return super().do_GET()

    def _send(self, body: bytes, kind: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    """The built site served over HTTP on 127.0.0.1, on a free port."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        reason = "chromium is not installed (Debian package 'chromium'; .ci/run installs it)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; the browser tests must run in CI")
        pytest.skip(reason)
    return path


# --- the browser -------------------------------------------------------------------------


@dataclass(frozen=True)
class Rendered:
    """One page as the browser saw it."""

    url: str
    dom: str
    #: (url, initiator, request type) of every URL request in the network log.
    requests: tuple[tuple[str, str, str], ...]


def _read_net_log(path: Path) -> dict:
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        # A log cut short ends inside the "events" list; closing it is the documented repair.
        return json.loads(text.rstrip().rstrip(",") + "]}")


def _requests(net_log: dict) -> tuple[tuple[str, str, str], ...]:
    start_job = net_log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    found = []
    for event in net_log["events"]:
        params = event.get("params") or {}
        if event.get("type") == start_job and "url" in params:
            found.append(
                (params["url"], params.get("initiator", ""), params.get("request_type", ""))
            )
    return tuple(found)


def _render(chromium: str, url: str) -> Rendered:
    with tempfile.TemporaryDirectory(prefix="gradspec-chromium-") as tmp:
        net_log = Path(tmp) / "net-log.json"
        cmd = [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={Path(tmp) / 'profile'}",
            f"--log-net-log={net_log}",
            "--dump-dom",
            url,
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if proc.returncode != 0 or not proc.stdout.strip():
            raise AssertionError(
                f"chromium failed on {url} (exit {proc.returncode}):\n{proc.stderr[-3000:]}"
            )
        return Rendered(url=url, dom=proc.stdout, requests=_requests(_read_net_log(net_log)))


@pytest.fixture(scope="module")
def rendered(chromium: str, base_url: str) -> dict[str, Rendered]:
    """Every page of the site loaded in headless chromium, two at a time."""
    with ThreadPoolExecutor(max_workers=BROWSER_PARALLELISM) as pool:
        results = pool.map(lambda p: _render(chromium, urljoin(base_url, p)), SITE_PAGES)
        return dict(zip(SITE_PAGES, results, strict=True))


# --- tests without a browser -------------------------------------------------------------


def _nav_pages(nav: list) -> set[str]:
    pages: set[str] = set()
    for entry in nav:
        items = entry.values() if isinstance(entry, dict) else [entry]
        for item in items:
            if isinstance(item, list):
                pages |= _nav_pages(item)
            elif isinstance(item, str) and item.endswith(".md"):
                pages.add(item)
    return pages


def test_every_docs_page_is_in_the_nav() -> None:
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    in_nav = _nav_pages(config["nav"])
    assert set(PAGES) - in_nav == set(), "pages under docs/ that the nav does not list"
    assert in_nav - set(PAGES) == set(), "nav entries with no page under docs/"


def _fenced_commands(markdown: str) -> list[str]:
    """The non-comment lines of the bash code blocks of a Markdown text."""
    blocks = re.findall(r"^```(?:bash|sh|console)\n(.*?)^```", markdown, flags=re.M | re.S)
    return [
        line.strip()
        for block in blocks
        for line in block.splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]


def test_quickstart_commands_match_the_readme() -> None:
    quickstart = (DOCS / "_snippets" / "quickstart.md").read_text(encoding="utf-8")
    commands = _fenced_commands(quickstart)
    assert commands, "docs/_snippets/quickstart.md has no commands in a bash code block"
    readme_lines = {
        line.strip() for line in (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    }
    missing = [c for c in commands if c not in readme_lines]
    assert missing == [], (
        "commands of the docs' quick start that README.md does not show verbatim "
        f"(keep docs/_snippets/quickstart.md and README.md in sync): {missing}"
    )


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _markdown_images(md_page: str) -> list[str]:
    text = (DOCS / md_page).read_text(encoding="utf-8")
    return re.findall(r"!\[[^\]]*\]\(([^)\s]+)", text)


@pytest.mark.parametrize("md_page", [p for p in PAGES if _markdown_images(p)])
def test_images_referenced_by_the_docs_exist(md_page: str) -> None:
    for ref in _markdown_images(md_page):
        assert not _is_external(ref), f"{md_page}: external image {ref}"
        path = (DOCS / md_page).parent / ref
        assert path.is_file(), f"{md_page}: image {ref} does not exist ({path})"
        if path.suffix == ".png":
            assert path.read_bytes()[:8] == PNG_SIGNATURE, f"{md_page}: {ref} is not a PNG"


def test_every_activation_page_shows_its_plot() -> None:
    for name in ("sigmoid", "tanh", "hardtanh", "relu", "leaky_relu", "swish"):
        refs = _markdown_images(f"spec/{name}.md")
        assert f"../assets/plots/{name}.png" in refs, f"spec/{name}.md does not show its plot"


# --- tests on the built site -------------------------------------------------------------


@pytest.mark.parametrize("url_path", SITE_PAGES)
def test_page_is_built(site: Path, url_path: str) -> None:
    assert _html_file(site, url_path).is_file()


RESOURCE_ATTRS = {
    "script": "src",
    "link": "href",
    "img": "src",
    "iframe": "src",
    "source": "src",
    "video": "src",
    "audio": "src",
    "embed": "src",
    "object": "data",
}


def test_built_html_loads_nothing_from_outside(site: Path) -> None:
    offenders = []
    for html_file in sorted(site.rglob("*.html")):
        parser = _parse(html_file.read_text(encoding="utf-8"))
        for tag, attrs in parser.tags:
            attr = RESOURCE_ATTRS.get(tag)
            for url in (attrs.get(attr, "") if attr else "", attrs.get("srcset", "")):
                if url and _is_external(url):
                    offenders.append(f"{html_file.relative_to(site)}: <{tag}> {url}")
    for css in sorted(site.rglob("*.css")):
        for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", css.read_text(encoding="utf-8")):
            if _is_external(url):
                offenders.append(f"{css.relative_to(site)}: url({url})")
    assert offenders == []


@pytest.mark.parametrize("url_path", SITE_PAGES)
def test_images_load_from_the_site(site: Path, url_path: str) -> None:
    page = _html_file(site, url_path)
    parser = _parse(page.read_text(encoding="utf-8"))
    for tag, attrs in parser.tags:
        if tag != "img":
            continue
        src = attrs.get("src", "")
        assert src and not _is_external(src), f"{url_path}: <img src={src!r}>"
        if src.startswith("data:"):
            continue
        target = (page.parent / urlsplit(src).path).resolve()
        assert target.is_file(), f"{url_path}: image {src} is missing from the built site"
        if target.suffix == ".png":
            assert target.read_bytes()[:8] == PNG_SIGNATURE, f"{url_path}: {src} is not a PNG"


# --- tests in the browser ----------------------------------------------------------------


@pytest.mark.parametrize("url_path", SITE_PAGES)
def test_math_is_typeset(site: Path, rendered: dict[str, Rendered], url_path: str) -> None:
    math_in_html = _count_math(_parse(_html_file(site, url_path).read_text(encoding="utf-8")))
    if url_path.startswith("spec/"):
        assert math_in_html > 0, f"{url_path}: a specification page without math"
    dom = _parse(rendered[url_path].dom)
    # One container per math element: fewer means some math was never typeset, more means
    # it was typeset twice (nested containers).
    assert _count_tags(dom, "mjx-container") == math_in_html


@pytest.mark.parametrize("url_path", SITE_PAGES)
def test_no_math_errors(rendered: dict[str, Rendered], url_path: str) -> None:
    dom = _parse(rendered[url_path].dom)
    assert _count_tags(dom, "mjx-merror") == 0, f"{url_path}: MathJax reported a TeX error"


@pytest.mark.parametrize("url_path", SITE_PAGES)
def test_no_raw_latex_in_visible_text(rendered: dict[str, Rendered], url_path: str) -> None:
    text = "".join(_parse(rendered[url_path].dom).text)
    found = {
        token: text[max(0, i - 40) : i + 40] for token in RAW_LATEX if (i := text.find(token)) >= 0
    }
    assert found == {}, f"{url_path}: LaTeX source visible (token: context)"


#: In MathJax's MathML of a typeset page: an underscore set as a roman letter, which is how
#: ``\operatorname{leaky\_relu}`` comes out ("leaky _ relu"), and TeX escapes shown as text,
#: how ``\texttt{grad\_z}`` comes out ("grad\_z": text mode does not read ``\_``).
_BROKEN_MATH_NAMES = re.compile(r'<mi mathvariant="normal">_</mi>|<mtext[^>]*>[^<]*\\[^<]*</mtext>')


@pytest.mark.parametrize("url_path", SITE_PAGES)
def test_names_in_math_render_whole(rendered: dict[str, Rendered], url_path: str) -> None:
    dom = rendered[url_path].dom
    broken = [dom[m.start() - 200 : m.end()] for m in _BROKEN_MATH_NAMES.finditer(dom)]
    assert broken == [], (
        f"{url_path}: a name in math renders broken; write \\mathtt{{graph\\_ops}} or "
        "\\mathrm{LeakyReLU}, not \\operatorname{leaky\\_relu} or \\texttt{grad\\_z}"
    )


@pytest.mark.parametrize("url_path", SITE_PAGES)
def test_page_requests_stay_on_loopback(rendered: dict[str, Rendered], url_path: str) -> None:
    page = rendered[url_path]
    # Requests the page made: the page itself (main frame) and those initiated from its
    # origin. The browser's own services (update checks and the like) have no origin as
    # initiator; they are not the site's doing.
    from_page = [
        url
        for url, initiator, kind in page.requests
        if kind == "main frame" or urlsplit(initiator).scheme in ("http", "https")
    ]
    assert page.url in from_page, f"{url_path}: the net log does not show the page's own request"
    assert [u for u in from_page if not _is_loopback(u)] == []


# --- layout and content, measured in the browser -----------------------------------------


def _layout(page: Rendered) -> dict:
    found = re.search(r'<pre id="gradspec-layout">(.*?)</pre>', page.dom, flags=re.S)
    assert found, f"{page.url}: the layout measurement did not run"
    return json.loads(html_lib.unescape(found.group(1)))


@pytest.mark.parametrize("url_path", SITE_PAGES)
def test_no_table_is_wider_than_the_content_column(
    rendered: dict[str, Rendered], url_path: str
) -> None:
    layout = _layout(rendered[url_path])
    assert layout["pageScrollWidth"] <= layout["viewport"], f"{url_path}: the page scrolls sideways"
    if layout["column"] is None:
        return
    right = layout["column"]["right"] + 1  # a pixel of rounding
    wide = [t["text"] for t in layout["tables"] if t["right"] > right]
    assert wide == [], f"{url_path}: tables wider than the content column"
    assert all(t["scrolls"] for t in layout["tables"]), f"{url_path}: a table box does not scroll"


@pytest.mark.parametrize("url_path", SITE_PAGES)
def test_images_have_the_pixels_they_are_shown_with(
    rendered: dict[str, Rendered], url_path: str
) -> None:
    for image in _layout(rendered[url_path])["images"]:
        if image["src"].endswith(".svg"):
            continue  # vector images have no pixel size of their own
        assert image["natural"] > 0, f"{url_path}: {image['src']} did not load"
        assert image["natural"] >= image["shown"], (
            f"{url_path}: {image['src']} is {image['natural']} px wide, shown at "
            f"{image['shown']:.0f} px: it is blown up"
        )


class _CodeTextParser(HTMLParser):
    """The text of inline code: ``<code>`` elements that are not inside ``<pre>``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.inline_code: list[str] = []
        self._pre = 0
        self._code = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._pre += tag == "pre"
        self._code += tag == "code"

    def handle_endtag(self, tag: str) -> None:
        if tag == "pre" and self._pre:
            self._pre -= 1
        if tag == "code" and self._code:
            self._code -= 1

    def handle_data(self, data: str) -> None:
        if self._code and not self._pre:
            self.inline_code.append(data)


@pytest.mark.parametrize("url_path", SITE_PAGES)
def test_no_raw_backtick_markup_in_rendered_text(
    rendered: dict[str, Rendered], url_path: str
) -> None:
    dom = rendered[url_path].dom
    prose = "".join(_parse(dom).text)
    assert "`" not in prose, f"{url_path}: a backtick in the text: {_around(prose, '`')}"
    code = _CodeTextParser()
    code.feed(dom)
    raw = [c for c in code.inline_code if "``" in c]
    assert raw == [], f"{url_path}: inline code showing reST double backticks"


def _around(text: str, token: str) -> str:
    i = text.find(token)
    return text[max(0, i - 40) : i + 40]


#: Headings as mkdocs writes them (levels 1-6), in the page's main content.
_HEADING = re.compile(r"<h([1-6])\b[^>]*>(.*?)</h\1>", flags=re.S)


def _article(html: str) -> str:
    found = re.search(r'<article class="md-content__inner[^"]*">(.*?)</article>', html, re.S)
    return found.group(1) if found else ""


@pytest.mark.parametrize("url_path", [_url_path(p) for p in PAGES])  # not Material's 404 page
def test_no_page_is_unfinished(site: Path, url_path: str) -> None:
    html = _html_file(site, url_path).read_text(encoding="utf-8")
    text = "".join(_parse(html).text).lower()
    for note in ("being completed", "todo", "to be written", "coming soon"):
        assert note not in text, f"{url_path}: says {note!r}"
    article = _article(html)
    headings = list(_HEADING.finditer(article))
    empty = []
    for this, following in zip(headings, [*headings[1:], None], strict=True):
        end = following.start() if following else len(article)
        body = re.sub(r"<[^>]+>", "", article[this.end() : end]).strip()
        deeper = following is not None and int(following.group(1)) > int(this.group(1))
        if not body and not deeper:
            empty.append(re.sub(r"<[^>]+>", "", this.group(2)).strip(" ¶"))
    assert empty == [], f"{url_path}: sections with nothing in them"
