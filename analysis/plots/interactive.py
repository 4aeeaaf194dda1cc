"""An offline, self-contained interactive map: `figures/paper_map.html`.

plotly draws the map (one trace per theme, so the legend, below the map, toggles themes; hover
shows title, theme, fit and, for a misfit, the theme that describes it better); plotly.js is
inlined, so the page makes no network request. Theme names sit where the static map
(`analysis.plots.maps`) puts them, off the points with a leader line, so they do not overlap.
A few lines of plain JS add what plotly has no widget for: a search box that highlights papers
whose title or abstract contains the text, and a panel showing a clicked paper's one-line
summary, abstract, code link and its theme's evidence. LaTeX escapes of the dumps ("88.7\\%")
are shown as the characters they stand for.

All paper text is untrusted. Hover labels get HTML-escaped text (plotly renders the entities as
the literal characters); the click panel is filled with `textContent`, never `innerHTML`; the
paper data travels as JSON inside a `<script type="application/json">` block with `<` escaped,
so a title containing `</script>` cannot end the block.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..config import OUTLIER_NAME
from ..io import write_text_atomic
from ..modeling.typicality import misfit_note
from .style import OUTLIER_COLOR, theme_colors

__all__ = ["interactive_map_html", "write_interactive_map"]

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy"
      content="default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval';
               style-src 'unsafe-inline'; img-src data: blob:; font-src data:">
<title>__TITLE__</title>
<style>
  body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #222; }
  header { padding: 10px 16px; border-bottom: 1px solid #ddd; display: flex; gap: 16px;
           align-items: center; flex-wrap: wrap; }
  header h1 { font-size: 17px; margin: 0; }
  #search { font-size: 14px; padding: 5px 8px; width: 320px; }
  #count { font-size: 13px; color: #555; }
  main { display: grid; grid-template-columns: minmax(0, 1fr) 360px; }
  #map { min-width: 0; overflow: hidden; }
  #panel { padding: 12px 16px; border-left: 1px solid #ddd;
           font-size: 13px; overflow-y: auto; max-height: 92vh; }
  #panel h2 { font-size: 15px; margin: 0 0 6px 0; }
  #p-meta { color: #555; margin-bottom: 8px; }
  #p-abstract { line-height: 1.45; white-space: pre-wrap; }
  #p-summary { font-weight: 600; margin: 6px 0; }
  #panel h3 { font-size: 13px; margin: 12px 0 4px 0; }
  #p-why { padding-left: 18px; color: #444; }
  .note { color: #777; font-size: 12px; }
</style>
</head>
<body>
<header>
  <h1>__TITLE__</h1>
  <input id="search" type="search" placeholder="Search titles and abstracts..." aria-label="search">
  <span id="count"></span>
  <span class="note">Click a point for its abstract; click a legend entry to hide a theme.</span>
</header>
<main>
  <div id="map">__PLOT__</div>
  <aside id="panel">
    <h2 id="p-title">Click a paper</h2>
    <div id="p-meta"></div>
    <div id="p-fit" class="note"></div>
    <div id="p-summary"></div>
    <div id="p-code"></div>
    <div id="p-abstract" class="note">Its summary, abstract, code link and why its theme
      is named so appear here.</div>
    <h3 id="p-why-head" hidden>Why the theme is named so, in its members' words</h3>
    <ul id="p-why"></ul>
  </aside>
</main>
<script type="application/json" id="paper-data">__DATA__</script>
<script>
(function () {
  const papers = JSON.parse(document.getElementById("paper-data").textContent);
  const gd = document.querySelector("#map .plotly-graph-div");
  const input = document.getElementById("search");
  const count = document.getElementById("count");
  // per trace, the row indices of its points (customdata[0])
  function rows(i) { return gd.data[i].customdata.map(function (c) { return c[0]; }); }
  function highlight() {
    const q = input.value.trim().toLowerCase();
    let shown = 0;
    const ops = [], sizes = [];
    for (let i = 0; i < gd.data.length; i++) {
      if (!gd.data[i].customdata) { ops.push(null); sizes.push(null); continue; }
      const hit = rows(i).map(function (r) {
        const p = papers[r];
        return !q || p.search.indexOf(q) >= 0;
      });
      shown += hit.filter(Boolean).length;
      ops.push(hit.map(function (h) { return h ? 0.9 : 0.06; }));
      sizes.push(hit.map(function (h) { return h && q ? 11 : 7; }));
    }
    const idx = [];
    for (let i = 0; i < gd.data.length; i++) { if (ops[i] !== null) idx.push(i); }
    Plotly.restyle(gd, {"marker.opacity": idx.map(function (i) { return ops[i]; }),
                        "marker.size": idx.map(function (i) { return sizes[i]; })}, idx);
    count.textContent = q ? shown + " of " + papers.length + " papers match"
                          : papers.length + " papers";
    gd.setAttribute("data-matches", String(shown));
  }
  input.addEventListener("input", highlight);
  gd.on("plotly_click", function (ev) {
    const p = papers[ev.points[0].customdata[0]];
    document.getElementById("p-title").textContent = p.title;
    document.getElementById("p-meta").textContent = p.theme + " \\u00b7 dumps: " + p.dumps;
    document.getElementById("p-fit").textContent = p.fit;
    document.getElementById("p-summary").textContent = p.summary;
    const why = document.getElementById("p-why");
    why.textContent = "";
    (p.why || []).forEach(function (q) {
      const li = document.createElement("li"); li.textContent = q; why.appendChild(li);
    });
    document.getElementById("p-why-head").hidden = !(p.why && p.why.length);
    const code = document.getElementById("p-code");
    code.textContent = "";
    if (p.code_url) {
      const a = document.createElement("a");
      a.href = p.code_url; a.textContent = p.code_url;
      a.rel = "noopener noreferrer"; a.target = "_blank";
      code.appendChild(a);
    }
    const ab = document.getElementById("p-abstract");
    ab.className = ""; ab.textContent = p.abstract;
  });
  highlight();
})();
</script>
</body>
</html>
"""


def _json_for_script(obj: object) -> str:
    # "<" escaped as \\u003c: no "</script>" or "<!--" can appear inside the block
    text = json.dumps(obj, ensure_ascii=False, allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _fit_text(fit: float, misfit: bool, better: str) -> str:
    if pd.isna(fit):
        return "in no theme (an outlier)"
    text = f"fit {fit:.2f} (1: the theme's most typical member)"
    return text + (f"; a misfit: {misfit_note(better)}" if misfit else "")


def _labels(papers: pd.DataFrame, themes: pd.DataFrame) -> list[tuple[str, tuple, tuple]]:
    """Each theme's label text, anchor and label position, as the static map places them."""
    import matplotlib.pyplot as plt

    from .maps import map_labels, theme_map

    fig = theme_map(papers, themes)
    out = [(a.get_text(), tuple(a.xy), tuple(a.xyann)) for a in map_labels(fig)]
    plt.close(fig)
    return out


def interactive_map_html(papers: pd.DataFrame, themes: pd.DataFrame, title: str) -> str:
    """The self-contained HTML page of the interactive map."""
    import plotly.graph_objects as go

    from ..text import plain_tex

    colors = theme_colors(themes)
    papers = papers.reset_index(drop=True)
    dumps_txt = papers["dumps"].map(lambda d: ", ".join(x.split("_", 1)[0] for x in d))
    names = dict(zip(themes["theme_id"], themes["theme_name"], strict=True))
    fit_txt = [
        _fit_text(f, bool(m), names.get(int(b), ""))
        for f, m, b in zip(papers["fit"], papers["misfit"], papers["better_theme_id"], strict=True)
    ]
    fig = go.Figure()
    groups = [(-1, OUTLIER_NAME), *zip(themes["theme_id"], themes["theme_name"], strict=True)]
    for tid, name in groups:
        idx = np.flatnonzero(papers["theme_id"].to_numpy() == tid)
        if len(idx) == 0:
            continue
        sub = papers.iloc[idx]
        custom = np.column_stack(
            [
                idx,
                [html.escape(t, quote=False) for t in sub["title"]],
                [html.escape(n, quote=False) for n in sub["theme_name"]],
                dumps_txt.iloc[idx].to_numpy(),
                [html.escape(fit_txt[i], quote=False) for i in idx],
            ]
        )
        fig.add_trace(
            go.Scatter(
                x=sub["x"],
                y=sub["y"],
                mode="markers",
                name=f"{html.escape(name)} ({len(idx)})",
                marker={
                    "color": colors.get(name, OUTLIER_COLOR),
                    "size": 7,
                    "opacity": 0.9,
                    "line": {"width": 0.4, "color": "white"},
                },
                customdata=custom,
                hovertemplate=(
                    "<b>%{customdata[1]}</b><br>%{customdata[2]}<br>%{customdata[4]}"
                    "<br>dumps: %{customdata[3]}<extra></extra>"
                ),
            )
        )
    by_name = {
        f"{n} ({int(s)})": n for n, s in zip(themes["theme_name"], themes["size"], strict=True)
    }
    for text, anchor, at in _labels(papers, themes):
        name = by_name[" ".join(text.split())]
        fig.add_annotation(
            x=float(anchor[0]),
            y=float(anchor[1]),
            ax=float(at[0]),
            ay=float(at[1]),
            axref="x",
            ayref="y",
            text=html.escape(text).replace("\n", "<br>"),
            showarrow=True,
            arrowhead=0,
            arrowwidth=1.1,
            arrowcolor=colors[name],
            font={"size": 11, "color": "#222"},
            bgcolor="rgba(255,255,255,0.9)",
            bordercolor=colors[name],
            borderwidth=1.2,
        )
    fig.update_layout(
        template="plotly_white",
        height=760,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        xaxis={"visible": False},
        yaxis={"visible": False},
        legend={
            "title": "Theme (papers); click to hide",
            "orientation": "h",
            "yanchor": "top",
            "y": -0.01,
            "x": 0,
            "font": {"size": 11},
        },
        dragmode="pan",
        hovermode="closest",
    )
    plot = fig.to_html(
        full_html=False,
        include_plotlyjs=True,
        include_mathjax=False,
        div_id="paper-map",
        config={
            "displaylogo": False,
            "scrollZoom": True,
            "responsive": True,
            "toImageButtonOptions": {"filename": "paper_map"},
        },
    )
    quotes = dict(zip(themes["theme_id"], themes["evidence"], strict=True))
    data = [
        {
            "title": t,
            "abstract": plain_tex(a),
            "summary": plain_tex(s),
            "theme": n,
            "fit": f,
            "why": [plain_tex(q) for q in quotes.get(int(tid), [])],
            "dumps": d,
            "code_url": c if isinstance(c, str) else "",
            "search": f"{t} {a}".lower(),
        }
        for t, a, s, n, f, tid, d, c in zip(
            papers["title"],
            papers["abstract"],
            papers["summary"],
            papers["theme_name"],
            fit_txt,
            papers["theme_id"],
            dumps_txt,
            papers["code_url"],
            strict=True,
        )
    ]
    parts = {"__TITLE__": html.escape(title), "__DATA__": _json_for_script(data), "__PLOT__": plot}
    # one pass over the template: text inserted for one placeholder is never scanned again
    return re.sub(r"__(?:TITLE|DATA|PLOT)__", lambda m: parts[m.group(0)], _PAGE)


def write_interactive_map(
    papers: pd.DataFrame, themes: pd.DataFrame, path: str | Path, title: str | None = None
) -> Path:
    """Write the interactive map (atomically) and return its path."""
    title = title or f"{len(papers)} papers from the listing pages, in {len(themes)} themes"
    return write_text_atomic(path, interactive_map_html(papers, themes, title))
