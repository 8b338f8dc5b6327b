// Small SVG charts built with the DOM (no library). Colours come as SVG presentation
// attributes, which the style-src CSP allows; every chart has a text alternative.
const NS = "http://www.w3.org/2000/svg";

export function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(NS, tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    node.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Colours with at least 3:1 contrast on white (lines) and 4.5:1 for white text on them. */
export const SCORE_STYLE = {
  consensus: { color: "#1f5fa8", dash: "", marker: "circle" },
  ownership: { color: "#a8471a", dash: "8 5", marker: "square" },
  innovation: { color: "#2e7031", dash: "2 4", marker: "diamond" },
};

export const STYLE_COLORS = {
  initiator: "#1f5fa8",
  facilitator: "#2e7031",
  catalyst: "#7b3fa0",
  sovereign: "#b3261e",
};

export const COUNT_COLORS = ["#1f5fa8", "#2e7031", "#7b3fa0", "#8a5a00"];

function marker(kind, x, y, r, color) {
  if (kind === "square") {
    return svg("rect", { x: x - r, y: y - r, width: 2 * r, height: 2 * r, fill: color });
  }
  if (kind === "diamond") {
    const d = r * 1.35;
    return svg("path", {
      d: `M${x} ${y - d}L${x + d} ${y}L${x} ${y + d}L${x - d} ${y}Z`,
      fill: color,
    });
  }
  return svg("circle", { cx: x, cy: y, r, fill: color });
}

/** A legend swatch (line + marker) as an inline SVG, for HTML legends. */
export function legendSwatch(style) {
  return svg(
    "svg",
    { width: 44, height: 16, viewBox: "0 0 44 16", "aria-hidden": "true", focusable: "false" },
    svg("line", {
      x1: 2,
      y1: 8,
      x2: 42,
      y2: 8,
      stroke: style.color,
      "stroke-width": 3,
      "stroke-dasharray": style.dash || null,
    }),
    marker(style.marker || "circle", 22, 8, 4.5, style.color),
  );
}

export function colorSwatch(color) {
  return svg(
    "svg",
    { width: 18, height: 18, viewBox: "0 0 18 18", "aria-hidden": "true", focusable: "false" },
    svg("rect", { x: 1, y: 1, width: 16, height: 16, rx: 3, fill: color }),
  );
}

/**
 * A line chart over rounds.
 *   labels:  x labels (one per round)
 *   series:  [{key, name, values: [number|null], style: {color, dash, marker}}]
 *   moments: [{series: key, index, label, text}] marked by a ring, a number and a short text
 *   onFocus(index|null): called when a round column is hovered or focused
 *   columnLabel(index): the accessible name of a round column
 */
export function lineChart({
  labels,
  series,
  min = 0,
  max = 100,
  ticks = [0, 25, 50, 75, 100],
  width = 900,
  height = 380,
  moments = [],
  label = "",
  onFocus = null,
  columnLabel = null,
}) {
  const pad = { left: 60, right: 60, top: 24 + moments.length * 24, bottom: 64 };
  const w = width - pad.left - pad.right;
  const h = height - pad.top - pad.bottom;
  const n = Math.max(labels.length, 1);
  const step = n > 1 ? w / (n - 1) : 0;
  const x = (i) => pad.left + (n > 1 ? i * step : w / 2);
  const y = (v) => pad.top + h - ((v - min) / (max - min)) * h;

  const root = svg("svg", {
    viewBox: `0 0 ${width} ${height}`,
    class: "chart chart-line",
    role: "group",
    "aria-label": label,
  });
  const grid = svg("g", { class: "chart-grid", "aria-hidden": "true" });
  for (const tick of ticks) {
    grid.append(
      svg("line", {
        x1: pad.left,
        x2: width - pad.right,
        y1: y(tick),
        y2: y(tick),
        stroke: "#c9ced6",
        "stroke-width": 1,
      }),
      svg("text", { x: pad.left - 10, y: y(tick) + 5, "text-anchor": "end", class: "chart-tick" }, tick),
    );
  }
  labels.forEach((text, i) => {
    const fit = Math.max(6, Math.floor((n > 1 ? step : w) / 8.6));
    const short = text.length > fit ? `${text.slice(0, fit - 1)}…` : text;
    grid.append(
      svg(
        "text",
        { x: x(i), y: height - pad.bottom + 24, "text-anchor": "middle", class: "chart-tick" },
        `${i + 1}`,
      ),
      svg(
        "text",
        {
          x: x(i),
          y: height - pad.bottom + 44,
          "text-anchor": "middle",
          class: "chart-xlabel",
        },
        n > 8 ? "" : short,
      ),
    );
  });
  root.append(grid);

  const guide = svg("line", {
    x1: 0,
    x2: 0,
    y1: pad.top,
    y2: pad.top + h,
    stroke: "#3b4350",
    "stroke-width": 2,
    "stroke-dasharray": "4 4",
    visibility: "hidden",
    "aria-hidden": "true",
  });
  root.append(guide);

  for (const s of series) {
    const g = svg("g", { class: "chart-series", "aria-hidden": "true" });
    let d = "";
    let pen = false;
    s.values.forEach((v, i) => {
      if (v === null || v === undefined) {
        pen = false;
        return;
      }
      d += `${pen ? "L" : "M"}${x(i).toFixed(1)} ${y(v).toFixed(1)}`;
      pen = true;
    });
    if (d) {
      g.append(
        svg("path", {
          d,
          fill: "none",
          stroke: s.style.color,
          "stroke-width": 4,
          "stroke-linejoin": "round",
          "stroke-linecap": "round",
          "stroke-dasharray": s.style.dash || null,
        }),
      );
    }
    s.values.forEach((v, i) => {
      if (v === null || v === undefined) return;
      g.append(marker(s.style.marker, x(i), y(v), 6, s.style.color));
    });
    root.append(g);
  }

  // Key moments: a ring around the point, and in the band above the plot its number and
  // cause, joined to the point by a thin leader line (so labels never cover the lines).
  moments.forEach((m, k) => {
    const s = series.find((item) => item.key === m.series);
    const v = s ? s.values[m.index] : null;
    if (v === null || v === undefined) return;
    const cx = x(m.index);
    const cy = y(v);
    const ty = 20 + k * 24;
    const anchor = cx > width - 260 ? "end" : cx < pad.left + 200 ? "start" : "middle";
    const textX = anchor === "end" ? cx + 8 : anchor === "start" ? cx - 8 : cx;
    const short = m.text.length > 48 ? `${m.text.slice(0, 47)}…` : m.text;
    const g = svg("g", { class: "chart-moment", "aria-hidden": "true" });
    g.append(
      svg("line", { x1: cx, x2: cx, y1: ty + 6, y2: cy - 14, stroke: "#3b4350", "stroke-width": 1.5, "stroke-dasharray": "3 3" }),
      svg("circle", { cx, cy, r: 13, fill: "none", stroke: "#111", "stroke-width": 3 }),
      svg("text", { x: textX, y: ty, "text-anchor": anchor, class: "chart-moment-text" }, `${k + 1}. ${short}`),
    );
    root.append(g);
  });

  // One focusable column per round: hover or focus shows that round's reasons.
  const half = n > 1 ? step / 2 : w / 2;
  labels.forEach((_, i) => {
    const col = svg("rect", {
      x: x(i) - half,
      y: pad.top,
      width: 2 * half,
      height: h,
      fill: "transparent",
      class: "chart-column",
      tabindex: onFocus ? 0 : null,
      role: onFocus ? "button" : null,
      "aria-label": columnLabel ? columnLabel(i) : null,
    });
    if (onFocus) {
      const show = () => {
        guide.setAttribute("x1", x(i));
        guide.setAttribute("x2", x(i));
        guide.setAttribute("visibility", "visible");
        onFocus(i);
      };
      col.addEventListener("mouseenter", show);
      col.addEventListener("focus", show);
      col.addEventListener("click", show);
      col.addEventListener("keydown", (event) => {
        const cols = [...root.querySelectorAll(".chart-column")];
        let next = null;
        if (event.key === "ArrowRight") next = cols[i + 1];
        if (event.key === "ArrowLeft") next = cols[i - 1];
        if (event.key === "Home") next = cols[0];
        if (event.key === "End") next = cols[cols.length - 1];
        if (next) {
          event.preventDefault();
          next.focus();
        }
      });
    }
    root.append(col);
  });
  return root;
}

/** A small line chart (trust 0..5) for small multiples. */
export function sparkline({ values, min = 0, max = 5, width = 220, height = 80, color = "#1f5fa8", label = "" }) {
  const pad = 10;
  const n = Math.max(values.length, 1);
  const x = (i) => pad + (n > 1 ? (i * (width - 2 * pad)) / (n - 1) : (width - 2 * pad) / 2);
  const y = (v) => pad + (height - 2 * pad) * (1 - (v - min) / (max - min));
  const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "chart chart-spark", role: "img", "aria-label": label });
  for (let v = min; v <= max; v += 1) {
    root.append(
      svg("line", { x1: pad, x2: width - pad, y1: y(v), y2: y(v), stroke: v === 3 ? "#9aa3ad" : "#e1e5ea", "stroke-width": 1 }),
    );
  }
  let d = "";
  let pen = false;
  values.forEach((v, i) => {
    if (v === null || v === undefined) {
      pen = false;
      return;
    }
    d += `${pen ? "L" : "M"}${x(i).toFixed(1)} ${y(v).toFixed(1)}`;
    pen = true;
  });
  if (d) root.append(svg("path", { d, fill: "none", stroke: color, "stroke-width": 3, "stroke-linejoin": "round" }));
  values.forEach((v, i) => {
    if (v === null || v === undefined) return;
    root.append(svg("circle", { cx: x(i), cy: y(v), r: 3.5, fill: color }));
  });
  return root;
}

/**
 * A horizontal stacked bar: segments [{value, color, text}] scaled to `total` (default the
 * sum). Positions are percentages (no viewBox), so the bar stretches to its box while the
 * text inside keeps its shape; text is written when the segment is wide enough.
 */
export function stackedBar({ segments, total = null, height = 34, label = "" }) {
  const sum = total ?? segments.reduce((a, s) => a + s.value, 0);
  const root = svg("svg", {
    width: "100%",
    height,
    class: "chart chart-bar",
    role: "img",
    "aria-label": label,
  });
  root.append(svg("rect", { x: 0, y: 0, width: "100%", height, fill: "#eef1f4", rx: 4 }));
  let at = 0;
  for (const s of segments) {
    if (!sum || s.value <= 0) continue;
    const w = (s.value / sum) * 100;
    root.append(svg("rect", { x: `${at}%`, y: 0, width: `${w}%`, height, fill: s.color }));
    if (s.text) {
      const text = svg(
        "text",
        { x: `${at + w / 2}%`, y: height / 2 + 6, "text-anchor": "middle", class: "chart-bar-text" },
        s.text,
      );
      text.dataset.share = String(w);
      root.append(text);
    }
    at += w;
  }
  // Drop the labels that do not fit once the bar has a width.
  requestAnimationFrame(() => {
    const width = root.getBoundingClientRect().width;
    if (!width) return;
    for (const text of root.querySelectorAll("text")) {
      const room = (Number(text.dataset.share) / 100) * width;
      if (text.getComputedTextLength() + 8 > room) text.remove();
    }
  });
  return root;
}

/** A single bar (0..max), for score comparisons. */
export function meter({ value, max = 100, color = "#1f5fa8", height = 14, label = "" }) {
  const root = svg("svg", {
    width: "100%",
    height,
    class: "chart chart-meter",
    role: label ? "img" : null,
    "aria-label": label || null,
    "aria-hidden": label ? null : "true",
  });
  root.append(svg("rect", { x: 0, y: 0, width: "100%", height, fill: "#eef1f4", rx: 3 }));
  if (value !== null && value !== undefined) {
    const share = Math.max(0, Math.min(1, value / max)) * 100;
    root.append(svg("rect", { x: 0, y: 0, width: `${share}%`, height, fill: color, rx: 3 }));
  }
  return root;
}
