/**
 * The report's charts as inline SVG text: a bar chart with one bar per layer (kept-float and
 * hybrid layers drawn apart), and a histogram with clip ranges drawn over it. Plain strings, no
 * script and nothing fetched, so a report works offline.
 */
import type { ClipRange, Histogram } from "./histogram.ts";

/** Escapes text for HTML and SVG content and attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

/** A number in a chart label: few digits, no trailing zeros. */
export function shortNumber(value: number): string {
  if (value === 0 || !Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude >= 1e5 || magnitude < 1e-3) return value.toExponential(2);
  return String(Number(value.toPrecision(4)));
}

/** One bar: its label under the axis, its height, its kind (a CSS class) and its tooltip. */
export interface Bar {
  /** Short label under the bar (`5`). */
  label: string;
  /** The bar's value (SQNR in dB). */
  value: number;
  /** What the bar stands for, used as its CSS class (`integer`, `hybrid`, `float`). */
  kind: string;
  /** The tooltip (`operator 5 CONV_2D: 45.9 dB`). */
  title: string;
}

/** Colours of bar kinds and clip-range methods, shared by the charts and their legends. */
export const COLORS: Record<string, string> = {
  integer: "#3b6fb6",
  hybrid: "#8a5cb8",
  float: "#c9c9c9",
  fallback: "#e07b39",
  minmax: "#d1495b",
  percentile: "#edae49",
  mse: "#2e9e5b",
  entropy: "#8e5cc4",
  used: "#222222",
  quantized: "#00798c",
};

/** A colour for a method the table above does not list (calibration methods added later). */
function colorOf(name: string): string {
  if (COLORS[name]) return COLORS[name];
  let hash = 0;
  for (const character of name) hash = (hash * 31 + character.charCodeAt(0)) % 360;
  return `hsl(${hash}, 60%, 45%)`;
}

/** A round step for `ticks` axis marks up to `top`. */
function tickStep(top: number, ticks: number): number {
  const raw = top / ticks;
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((factor) => factor * power).find((step) => step >= raw)!;
}

/**
 * A vertical bar chart, one `<rect class="bar KIND">` per bar, with a labelled y axis from 0
 * (or the lowest value when negative) to a round value above the highest; bars above `ceiling`
 * reach the top and have their value written over them.
 */
export function barChart(id: string, bars: Bar[], yLabel: string, ceiling = Infinity): string {
  const [left, top, bottom, height] = [48, 16, 34, 220];
  const step = Math.max(10, Math.min(36, 720 / Math.max(1, bars.length)));
  const width = left + bars.length * step + 12;
  const labelEvery = Math.ceil(24 / step); // labels at least 24 px apart
  const highest = Math.max(1, ...bars.map((bar) => Math.min(ceiling, bar.value)));
  const lowest = Math.min(0, ...bars.map((bar) => bar.value));
  const tick = tickStep(highest - lowest, 5);
  const [low, high] = [Math.floor(lowest / tick) * tick, Math.ceil(highest / tick) * tick];
  const y = (value: number) => top + height * (1 - (value - low) / (high - low));
  const parts: string[] = [];
  for (let value = low; value <= high + tick / 2; value += tick) {
    parts.push(
      `<line class="grid" x1="${left}" x2="${width - 8}" y1="${y(value)}" y2="${y(value)}"/>`,
      `<text class="tick" x="${left - 6}" y="${y(value) + 4}" text-anchor="end">${
        shortNumber(value)
      }</text>`,
    );
  }
  bars.forEach((bar, index) => {
    const x = left + index * step + step * 0.15;
    const [from, to] = [y(Math.max(0, low)), y(Math.min(high, bar.value))];
    if (bar.value > high) {
      parts.push(
        `<text class="tick" x="${x + step * 0.35}" y="${top - 4}" text-anchor="middle">${
          shortNumber(Math.round(bar.value))
        }</text>`,
      );
    }
    parts.push(
      `<rect class="bar ${escapeHtml(bar.kind)}" x="${x}" y="${Math.min(from, to)}" width="${
        step * 0.7
      }" height="${Math.max(1, Math.abs(from - to))}" fill="${colorOf(bar.kind)}">` +
        `<title>${escapeHtml(bar.title)}</title></rect>`,
    );
    if (index % labelEvery === 0) {
      parts.push(
        `<text class="tick" x="${x + step * 0.35}" y="${top + height + 14}" text-anchor="middle">${
          escapeHtml(bar.label)
        }</text>`,
      );
    }
  });
  parts.push(
    `<text class="axis" transform="translate(12 ${top + height / 2}) rotate(-90)" ` +
      `text-anchor="middle">${escapeHtml(yLabel)}</text>`,
  );
  return `<svg id="${escapeHtml(id)}" class="chart" ` +
    `width="${width}" height="${top + height + bottom}" data-bars="${bars.length}">` +
    `${parts.join("")}</svg>`;
}

/**
 * A histogram (one `<rect class="bin">` per bin, counts on a log scale so that a spike at zero
 * leaves the tails visible) with each clip range drawn as a pair of labelled vertical lines in
 * its method's colour; the x axis spans the histogram and every range.
 */
export function histogramChart(histogram: Histogram, clipRanges: ClipRange[]): string {
  const [left, top, width, height] = [12, 10, 560, 150];
  const edges = [histogram.low, histogram.high, ...clipRanges.flatMap((r) => [r.low, r.high])];
  let [low, high] = [Math.min(...edges), Math.max(...edges)];
  if (high === low) [low, high] = [low - 0.5, high + 0.5];
  const x = (value: number) => left + (width * (value - low)) / (high - low);
  const tallest = Math.log1p(Math.max(1, ...histogram.counts));
  const binWidth = (histogram.high - histogram.low) / histogram.counts.length;
  const parts = histogram.counts.map((count, bin) => {
    const barHeight = (height * Math.log1p(count)) / tallest;
    const from = x(histogram.low + bin * binWidth);
    return `<rect class="bin" x="${from}" y="${top + height - barHeight}" width="${
      Math.max(0.5, x(histogram.low + (bin + 1) * binWidth) - from)
    }" height="${barHeight}"><title>${count}</title></rect>`;
  });
  clipRanges.forEach((range, index) => {
    const color = colorOf(range.method);
    for (const [edge, value] of [["low", range.low], ["high", range.high]] as const) {
      parts.push(
        `<line class="clip ${escapeHtml(range.method)}" x1="${x(value)}" x2="${x(value)}" ` +
          `y1="${top - 4}" y2="${top + height}" stroke="${color}" ` +
          `stroke-dasharray="${4 + 2 * index} 3"><title>${escapeHtml(range.method)} ${edge} ${
            shortNumber(value)
          }</title></line>`,
      );
    }
  });
  parts.push(
    `<line class="axis-line" x1="${left}" x2="${left + width}" y1="${top + height}" y2="${
      top + height
    }"/>`,
    `<text class="tick" x="${left}" y="${top + height + 14}">${shortNumber(low)}</text>`,
    `<text class="tick" x="${left + width}" y="${top + height + 14}" text-anchor="end">${
      shortNumber(high)
    }</text>`,
  );
  const legend = clipRanges.map((range) =>
    `<span class="key" style="border-color:${colorOf(range.method)}">${escapeHtml(range.method)} [${
      shortNumber(range.low)
    }, ${shortNumber(range.high)}]</span>`
  ).join(" ");
  return `<svg class="chart histogram" width="${left + width + 12}" height="${top + height + 20}">${
    parts.join("")
  }</svg><div class="legend">${legend}</div>`;
}
