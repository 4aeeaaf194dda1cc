"""Load the text dumps of the trending-papers page into tidy DataFrames.

A dump is a header of boilerplate lines ending with a date line such as ``Jul 11``, then entries
of two non-blank lines each: a title, then its abstract. Blank lines, a UTF-8 BOM, CRLF line
endings and trailing spaces carry no meaning and are tolerated. Anything else that breaks this
shape raises `DumpFormatError`, naming the file, the line and what was expected, because a
silently shifted entry would pair every later title with the wrong abstract.

Lengths alone cannot tell a short abstract from a title whose abstract is missing (titles run to
176 characters here, an abstract may be 70), so the file's alternation decides: a short line in
an abstract's place is a second title only when the file reads with fewer breaks in its title,
abstract alternation that way (a line too long for a title can only be an abstract), and on a
tie when it leaves fewer short abstracts (`_second_title`). A file that alternates throughout
reads as it alternates, however short its abstracts.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .config import DUMP_GLOB, RAW_DIR, LoadConfig
from .text import word_count

__all__ = [
    "DumpFormatError",
    "DumpWarning",
    "IgnoredFilesWarning",
    "code_promised",
    "find_code_url",
    "load_corpus",
    "load_entries",
    "load_occurrences",
    "load_papers",
    "normalize_title",
    "paper_id",
    "papers_from_entries",
    "read_dump",
    "write_dump",
]

ENTRY_COLUMNS = ["title", "abstract", "dump", "rank", "page_date", "line"]

_MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
#: The header's last line: a day of the listing, without a year ("Jul 11").
DATE_LINE = re.compile(rf"^(?:{_MONTHS})[a-z]* \d{{1,2}}(?:, \d{{4}})?$")


class DumpFormatError(ValueError):
    """A dump that does not have the expected shape. `.path` and `.line` (1-based) say where."""

    def __init__(self, path: str | Path, line: int, message: str) -> None:
        self.path = Path(path)
        self.line = line
        self.reason = message
        super().__init__(f"{self.path.name}:{line}: {message}")


class CorpusFormatError(ValueError):
    """Several dumps are bad; `.errors` holds one `DumpFormatError` per file."""

    def __init__(self, errors: Sequence[DumpFormatError]) -> None:
        self.errors = list(errors)
        lines = "; ".join(str(e) for e in self.errors)
        super().__init__(f"{len(self.errors)} bad dump files: {lines}")


class DumpWarning(UserWarning):
    """A dump was skipped, or two dumps disagree about a paper."""


class IgnoredFilesWarning(DumpWarning):
    """Entries of the raw folder that are not read as dumps (another name, a dangling symlink,
    a folder): said aloud, since a dump saved as ``README.TXT`` or behind a broken link would
    otherwise just be missing from the corpus."""


@dataclass(frozen=True)
class _Line:
    number: int  # 1-based line number in the file
    text: str


def _line_at(data: bytes, offset: int) -> int:
    """1-based line of a byte offset; CRLF, CR and LF each end a line, as in `_lines`."""
    head = data[:offset]
    return head.replace(b"\r\n", b"\n").replace(b"\r", b"\n").count(b"\n") + 1


def _decode(path: Path, data: bytes) -> str:
    if not data.strip():
        raise DumpFormatError(path, 1, "file is empty; expected a header ending in a date line")
    nul = data.find(b"\x00")
    if nul >= 0:
        line = _line_at(data, nul)
        raise DumpFormatError(path, line, "binary data (NUL byte); expected UTF-8 text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        # utf-8-sig offsets count the BOM as consumed; re-derive the line from the raw bytes.
        start = e.start + (3 if data.startswith(b"\xef\xbb\xbf") else 0)
        line = _line_at(data, start)
        raise DumpFormatError(
            path, line, f"byte 0x{data[start]:02x} is not valid UTF-8; expected UTF-8 text"
        ) from None


def _lines(text: str) -> list[_Line]:
    # Only \n, \r\n and \r end a line: str.splitlines() would also split on \x0b, \x1c, U+2028...
    # which may legitimately sit inside an abstract and would shift every line number after it.
    raw = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [_Line(i, s.strip()) for i, s in enumerate(raw, start=1) if s.strip()]


def _shorten(s: str, n: int = 60) -> str:
    return s if len(s) <= n else s[: n - 3] + "..."


def _best_readings(body: Sequence[_Line], cfg: LoadConfig) -> list[tuple[int, int]]:
    """For each i, the best reading of ``body[i:]`` starting in a title's place, as (breaks,
    short abstracts): fewest breaks in the title, abstract alternation (a title without its
    abstract, an abstract without its title), then fewest abstracts shorter than
    ``cfg.abstract_min_chars``. A line longer than ``cfg.title_max_chars`` cannot be a title."""
    n = len(body)
    short = [len(ln.text) < cfg.abstract_min_chars for ln in body] + [False]
    best = [(0, 0)] * (n + 2)
    for i in range(n - 1, -1, -1):
        breaks, shorts = best[i + 1]
        options = [(breaks + 1, shorts + short[i])]  # an abstract without its title
        if len(body[i].text) <= cfg.title_max_chars:
            options.append((breaks + 1, shorts))  # a title without its abstract
            if i + 1 < n:  # a title and its abstract
                breaks, shorts = best[i + 2]
                options.append((breaks, shorts + short[i + 1]))
        best[i] = min(options)
    return best


def _second_title(best: Sequence[tuple[int, int]], at: int) -> bool:
    """Whether the short line ``body[at]``, in an abstract's place, is rather a second title
    (the title before it lacking its abstract): reading it so leaves the file with fewer breaks
    in its alternation, or as many but fewer short abstracts, than reading it as an abstract.
    On a tie it is the abstract: the error, if any, is then raised where the file breaks."""
    breaks, shorts = best[at]
    as_title = (breaks + 1, shorts)
    breaks, shorts = best[at + 1]
    return as_title < (breaks, shorts + 1)


def read_dump(path: str | Path, config: LoadConfig | None = None) -> pd.DataFrame:
    """Parse one dump into a DataFrame, one row per entry, in page order.

    Columns: ``title``, ``abstract`` (verbatim, surrounding whitespace removed), ``dump`` (file
    stem), ``rank`` (0-based position on the page), ``page_date`` (the header's date line, text:
    it has no year) and ``line`` (1-based line number of the title).

    Raises `DumpFormatError` (with ``.path`` and ``.line``) when the file is empty, not UTF-8
    text, has no date line, has no entries, or when a title lacks its abstract. A line in an
    abstract's place shorter than ``config.abstract_min_chars`` is that abstract unless the rest
    of the file reads it as a title (`_second_title`).
    """
    cfg = config or LoadConfig()
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise DumpFormatError(path, 0, f"cannot read file ({e.strerror})") from None
    lines = _lines(_decode(path, data))
    if not lines:
        raise DumpFormatError(path, 1, "file is empty; expected a header ending in a date line")

    date_at = next((i for i, ln in enumerate(lines) if DATE_LINE.match(ln.text)), None)
    if date_at is None:
        raise DumpFormatError(
            path, lines[0].number, "no date line (like 'Jul 11') ends the header; expected one"
        )
    page_date = lines[date_at].text
    body = lines[date_at + 1 :]
    if not body:
        raise DumpFormatError(
            path,
            lines[date_at].number + 1,
            f"header ends with date line {page_date!r} but no entries follow; expected a title",
        )

    rows: list[tuple[str, str, str, int, str, int]] = []
    stem = path.stem
    best: list[tuple[int, int]] | None = None  # computed at the first short abstract, if any
    for k in range(0, len(body), 2):
        title = body[k]
        if len(title.text) > cfg.title_max_chars:
            raise DumpFormatError(
                path,
                title.number,
                f"expected a title (at most {cfg.title_max_chars} characters), found a "
                f"{len(title.text)}-character line: an abstract whose title is missing?",
            )
        if k + 1 >= len(body):
            raise DumpFormatError(
                path,
                title.number,
                f"title {_shorten(title.text)!r} has no abstract: the file ends (truncated?)",
            )
        abstract = body[k + 1]
        if len(abstract.text) < cfg.abstract_min_chars:
            if best is None:
                best = _best_readings(body, cfg)
            if _second_title(best, k + 1):
                raise DumpFormatError(
                    path,
                    abstract.number,
                    f"expected the abstract of {_shorten(title.text)!r} (line {title.number}), "
                    f"found a {len(abstract.text)}-character line that the rest of the file "
                    "reads as a title: two titles in a row, an abstract missing?",
                )
        rows.append((title.text, abstract.text, stem, k // 2, page_date, title.number))
    return pd.DataFrame(rows, columns=ENTRY_COLUMNS).astype({"rank": "int64", "line": "int64"})


def write_dump(
    entries: Iterable[tuple[str, str]], path: str | Path, page_date: str = "Jan 1"
) -> Path:
    """Write (title, abstract) pairs in the dump format (the inverse of `read_dump`)."""
    header = ["new", "Get trending papers in your email inbox!", "Subscribe"]
    header += ["byAK and the research community", page_date]
    parts = header + [s for pair in entries for s in pair]
    path = Path(path)
    path.write_text("\n\n".join(parts) + "\n", encoding="utf-8")
    return path


# --- titles and ids ---------------------------------------------------------------------------

_PUNCT = re.compile(r"[\W_]+", re.UNICODE)


def normalize_title(title: str) -> str:
    """Case-, whitespace- and punctuation-insensitive form of a title, for matching."""
    t = unicodedata.normalize("NFKC", title).casefold()
    return " ".join(_PUNCT.sub(" ", t).split())


def paper_id(title: str, abstract: str = "") -> str:
    """Stable 10-hex-digit id of a paper, from its normalised title.

    A title with no letter or digit ("???", emoji) normalises to nothing; its id comes from
    its raw text and its abstract instead, so two such papers never share an id (and one
    listed twice, same title and abstract, still does)."""
    norm = normalize_title(title)
    key = norm if norm else f"\x00raw\x00{title}\x00{abstract}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]


# --- derived columns --------------------------------------------------------------------------

_URL = re.compile(r"https?://[^\s{}<>\"']+", re.IGNORECASE)
_REPO_HOSTS = ("github.com", "gitlab.com", "bitbucket.org", "codeberg.org", "gitee.com")


def find_code_url(abstract: str) -> str | None:
    """The first code-repository URL in an abstract, normalised to ``https://host/owner/repo``.

    Repositories on GitHub, GitLab, Bitbucket, Codeberg, Gitee and Hugging Face count; project
    pages (``*.github.io``) and the arXiv placeholder "this https URL" do not.
    """
    for m in _URL.finditer(abstract):
        url = m.group(0).rstrip(".,;:)]")
        host_path = re.sub(r"^https?://(www\.)?", "", url, flags=re.IGNORECASE)
        host, _, rest = host_path.partition("/")
        host = host.lower()
        parts = [p for p in rest.split("/") if p]
        if host in _REPO_HOSTS and len(parts) >= 2:
            repo = parts[1].removesuffix(".git")
            return f"https://{host}/{parts[0]}/{repo}"
        if host == "huggingface.co" and len(parts) >= 2:
            # huggingface.co/owner/model or huggingface.co/spaces|datasets/owner/name
            keep = (
                parts[:3] if parts[0] in ("spaces", "datasets") and len(parts) >= 3 else parts[:2]
            )
            return f"https://{host}/" + "/".join(keep)
    return None


_PROMISE = re.compile(
    r"\b(?:code|codes|models?|weights|implementation|source|dataset|checkpoints?)\b[^.]{0,80}?"
    r"\bwill\s+be\s+(?:made\s+)?(?:publicly\s+|openly\s+)?"
    r"(?:available|released|open[- ]?sourced|public)"
    r"|\bcoming\s+soon\b",
    re.IGNORECASE,
)


def code_promised(abstract: str) -> bool:
    """True when the abstract promises future release ("code will be released")."""
    return bool(_PROMISE.search(abstract))


# --- the corpus -------------------------------------------------------------------------------


def _scan(raw_dir: str | Path) -> tuple[list[Path], list[str]]:
    """The dump files of `raw_dir` (regular files, or links to them, matching `DUMP_GLOB`) in
    name order, and every other entry as "name (why it is not read)", in name order.
    FileNotFoundError when the folder is missing or holds no dump file."""
    raw = Path(raw_dir)
    if not raw.is_dir():
        raise FileNotFoundError(f"{raw}: no such folder of dumps")
    paths = sorted(p for p in raw.glob(DUMP_GLOB) if p.is_file())
    read = set(paths)
    ignored = []
    for p in sorted(raw.iterdir()):
        if p in read:
            continue
        if p.is_symlink() and not p.exists():
            why = "a symlink to nothing"
        elif p.is_dir():
            why = "a folder"
        elif not p.match(DUMP_GLOB):
            lower = p.with_name(p.name.lower()).match(DUMP_GLOB)
            why = f"not {DUMP_GLOB}" + ("; names are case-sensitive" if lower else "")
        else:
            why = "not a regular file"
        ignored.append(f"{p.name} ({why})")
    if not paths:
        also = f"; ignored {', '.join(ignored)}" if ignored else ""
        raise FileNotFoundError(f"{raw}: no dump files ({DUMP_GLOB}) in this folder{also}")
    return paths, ignored


def dump_paths(raw_dir: str | Path) -> list[Path]:
    """The dump files of `raw_dir` in name order (`load_entries` also warns of the rest)."""
    return _scan(raw_dir)[0]


def load_entries(
    raw_dir: str | Path | None = None,
    on_error: str = "raise",
    config: LoadConfig | None = None,
) -> pd.DataFrame:
    """Every entry of every dump in `raw_dir` (sorted by file name), with its ``paper_id``.

    ``on_error="raise"`` parses every file first, then raises naming every bad one;
    ``on_error="skip"`` leaves bad files out with a `DumpWarning` each. Every other entry of
    the folder (another extension, a dangling symlink, a folder) is listed in one
    `IgnoredFilesWarning`.
    """
    if on_error not in ("raise", "skip"):
        raise ValueError(f"on_error must be 'raise' or 'skip', not {on_error!r}")
    raw = raw_dir if raw_dir is not None else RAW_DIR
    paths, ignored = _scan(raw)
    if ignored:
        what = "entry that is not a dump" if len(ignored) == 1 else "entries that are not dumps"
        warnings.warn(
            f"{raw}: ignored {len(ignored)} {what} ({DUMP_GLOB}): {', '.join(ignored)}",
            IgnoredFilesWarning,
            stacklevel=2,
        )
    frames, errors = [], []
    for p in paths:
        try:
            frames.append(read_dump(p, config))
        except DumpFormatError as e:
            errors.append(e)
    if errors and on_error == "raise":
        raise errors[0] if len(errors) == 1 else CorpusFormatError(errors)
    for e in errors:
        warnings.warn(f"skipped {e}", DumpWarning, stacklevel=2)
    if not frames:
        raise FileNotFoundError(f"{raw_dir}: no readable dump left after skipping bad files")
    entries = pd.concat(frames, ignore_index=True)
    ids = [paper_id(t, a) for t, a in zip(entries["title"], entries["abstract"], strict=True)]
    entries.insert(0, "paper_id", ids)
    return entries


def load_occurrences(
    raw_dir: str | Path | None = None, entries: pd.DataFrame | None = None, **kw: object
) -> pd.DataFrame:
    """Tidy paper x dump table: ``paper_id, dump, rank, page_date, line``."""
    e = entries if entries is not None else load_entries(raw_dir, **kw)  # type: ignore[arg-type]
    return e[["paper_id", "dump", "rank", "page_date", "line"]].reset_index(drop=True)


def papers_from_entries(entries: pd.DataFrame) -> pd.DataFrame:
    """Collapse entries to one row per paper (see `load_papers`)."""
    conflicts = []
    rows = []
    for pid, g in entries.groupby("paper_id", sort=True):
        abstracts = g["abstract"].unique()
        # Longest abstract wins; ties broken by text so the choice never depends on file order.
        best = max(abstracts, key=lambda a: (len(a), a))
        # The title as most entries write it (ties: the first in sort order), for the same
        # reason: the text that is embedded must not depend on which dump comes first.
        counts = g["title"].value_counts()
        title = min(counts.index, key=lambda t: (-counts[t], t))
        if len(abstracts) > 1:
            conflicts.append({"paper_id": pid, "title": title, "dumps": sorted(g["dump"])})
        first = g.iloc[0]
        dumps = sorted(set(g["dump"]))
        rows.append(
            {
                "paper_id": pid,
                "title": title,
                "abstract": best,
                "dumps": dumps,
                "n_dumps": len(dumps),
                "first_dump": first["dump"],
                "first_rank": int(first["rank"]),
            }
        )
    papers = pd.DataFrame(rows)
    papers["n_words"] = papers["abstract"].map(word_count).astype("int64")
    papers["code_url"] = papers["abstract"].map(find_code_url)
    papers["has_code"] = papers["code_url"].notna()
    papers["code_promised"] = papers["abstract"].map(code_promised)
    papers = papers.reset_index(drop=True)  # in paper_id order: the same in any input order
    papers.attrs["conflicts"] = conflicts
    for c in conflicts:
        warnings.warn(
            f"{c['title']!r} has different abstracts in {', '.join(c['dumps'])}: kept the longest",
            DumpWarning,
            stacklevel=3,
        )
    return papers


def load_papers(
    raw_dir: str | Path | None = None,
    on_error: str = "raise",
    config: LoadConfig | None = None,
) -> pd.DataFrame:
    """One row per unique paper across all dumps in `raw_dir` (default ``data/raw``).

    Columns: ``paper_id``, ``title``, ``abstract``, ``dumps`` (sorted list of dump stems),
    ``n_dumps``, ``first_dump``/``first_rank`` (where it first appears, in file and page
    order; rows are sorted by ``paper_id``, so their order never depends on the inputs'),
    ``n_words`` (the abstract's words, `analysis.text.word_count`: Chinese and Japanese by
    character), ``code_url`` (normalised repository URL or None), ``has_code``
    and ``code_promised``. Titles match after normalising case, whitespace and punctuation; when
    one title carries different abstracts the longest is kept, a `DumpWarning` says so and
    ``papers.attrs["conflicts"]`` lists them.
    """
    return papers_from_entries(load_entries(raw_dir, on_error=on_error, config=config))


def load_corpus(
    raw_dir: str | Path, on_error: str = "raise", config: LoadConfig | None = None
) -> tuple[pd.DataFrame, dict[str, dict[str, str]]]:
    """`load_entries`, and the dumps `on_error="skip"` left out: sha256 and reason by file
    name, as a run records them (their warnings are passed on as they were)."""
    import warnings

    from .io import sha256_file

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        entries = load_entries(raw_dir, on_error=on_error, config=config)
    for w in caught:
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    used = set(entries["dump"])
    skipped = {}
    for p in dump_paths(raw_dir):
        if p.stem not in used:
            why = [str(w.message) for w in caught if str(w.message).startswith(f"skipped {p.name}")]
            skipped[p.name] = {
                "sha256": sha256_file(p),
                "reason": why[0].removeprefix("skipped ") if why else "no entries",
            }
    return entries, skipped
