/**
 * The debugger's report as one self-contained HTML page (inline CSS and SVG, no script, nothing
 * fetched): size and accuracy per variant, the outputs' error, what the automatic fallback kept
 * float and what each layer bought, per-layer SQNR as a bar chart with the layers kept float
 * marked (those the fallback kept apart), the layer table, and the activation histograms of the
 * worst layers with each method's clip range drawn on them.
 */
import type { QuantizeReport } from "../options.ts";
import type { LayerComparison, ModelComparison } from "./compare.ts";
import { MAX_SQNR_DB } from "./error_stats.ts";
import { barChart, COLORS, escapeHtml, histogramChart, shortNumber } from "./svg_charts.ts";

/** One model in the report's variants table. */
export interface ReportVariant {
  /** How the variant is named (its file name). */
  name: string;
  /** Its size in bytes. */
  bytes: number;
  /** Its top-1 accuracy, or null when no labels were given. */
  top1: number | null;
}

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; } h3 { font-size: 14px; margin: 16px 0 2px; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { padding: 3px 10px; text-align: right; border-bottom: 1px solid #e3e3e3; white-space: nowrap; }
th { background: #f4f4f4; } td.name { text-align: left; }
td.tensor { text-align: left; max-width: 360px; overflow: hidden; text-overflow: ellipsis; }
.tensor-name { color: #555; font-size: 12px; overflow-wrap: anywhere; max-width: 900px; }
.chart text { font-size: 11px; fill: #444; } .chart .grid { stroke: #eee; }
.chart .axis-line { stroke: #888; } .chart .bin { fill: #7d8fa3; } .chart line.clip { stroke-width: 2; }
.legend { margin: 4px 0 12px; } .key { display: inline-block; border-left: 14px solid; padding: 0 8px 0 4px; margin-right: 8px; }
.float-row td { color: #777; }
`;

/** SQNR above this is float rounding, not quantization: such bars stop at the chart's top. */
const CHART_CEILING_DB = 80;

const percent = (value: number | null) => value === null ? "" : `${(value * 100).toFixed(2)}%`;
const decibels = (value: number) =>
  value >= MAX_SQNR_DB ? `≥ ${MAX_SQNR_DB} (exact)` : value.toFixed(1);

function table(headers: string[], rows: string[][], rowClasses: string[] = []): string {
  const head = headers.map((header) => `<th>${header}</th>`).join("");
  const body = rows.map((cells, index) =>
    `<tr class="${rowClasses[index] ?? ""}">${cells.join("")}</tr>`
  ).join("\n");
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

const cell = (text: string, name = false) =>
  `<td${name ? ' class="name"' : ""}>${escapeHtml(text)}</td>`;

/** A tensor name cut to the cell's width, whole in its tooltip. */
const tensorCell = (name: string) =>
  `<td class="tensor" title="${escapeHtml(name)}">${escapeHtml(name)}</td>`;

function variantsTable(variants: ReportVariant[]): string {
  const base = variants[0];
  const rows = variants.map((variant) => [
    cell(variant.name, true),
    cell(variant.bytes.toLocaleString("en-US")),
    cell(`${((100 * variant.bytes) / base.bytes).toFixed(1)}%`),
    cell(percent(variant.top1)),
    cell(
      variant.top1 === null || base.top1 === null
        ? ""
        : `${((variant.top1 - base.top1) * 100).toFixed(2)}`,
    ),
  ]);
  return table(["variant", "bytes", "size", "top-1", "change (points)"], rows);
}

/** How a layer is computed, as the chart and table tell them apart. */
type LayerKind = LayerComparison["storage"] | "fallback";

const KIND_NAMES: Record<LayerKind, string> = {
  integer: "integer",
  hybrid: "hybrid (integer weights, float activations)",
  float: "kept float",
  fallback: "kept float by the automatic fallback",
};

function layersTable(layers: LayerComparison[], kindOf: (layer: LayerComparison) => LayerKind) {
  const rows = layers.map((layer) => [
    cell(String(layer.operator)),
    cell(layer.op, true),
    cell(KIND_NAMES[kindOf(layer)], true),
    cell(decibels(layer.sqnr)),
    cell(shortNumber(layer.rmse)),
    cell(shortNumber(layer.maxAbs)),
    cell(layer.scale === null ? "" : shortNumber(layer.scale)),
    cell(layer.zeroPoint === null ? "" : String(layer.zeroPoint)),
    cell(layer.min === null ? "" : `[${shortNumber(layer.min)}, ${shortNumber(layer.max!)}]`),
    cell(`[${shortNumber(layer.floatMin)}, ${shortNumber(layer.floatMax)}]`),
    tensorCell(layer.tensor),
  ]);
  return table(
    [
      "operator",
      "op",
      "computed in",
      "SQNR (dB)",
      "RMSE",
      "max |error|",
      "scale",
      "zero point",
      "range held",
      "float range seen",
      "tensor",
    ],
    rows,
    layers.map((layer) => layer.storage === "float" ? "float-row" : ""),
  );
}

/** The fallback's goal, its measure before and after, and each layer kept with what it bought. */
function fallbackSection(fallback: NonNullable<QuantizeReport["fallback"]>): string {
  const accuracy = fallback.goal === "accuracyBudget";
  const measure = (value: number) =>
    accuracy ? `top-1 ${percent(value)}` : `${value.toFixed(1)} dB at the lowest output`;
  const goal = accuracy
    ? `lose at most ${fallback.target} top-1 points against the float model's ${
      percent(fallback.floatTop1)
    }`
    : `keep at least ${fallback.target} dB at every output`;
  const rows = fallback.layers.map((layer) => [
    cell(String(layer.operator)),
    cell(layer.op, true),
    cell(`${layer.bought >= 0 ? "+" : ""}${layer.bought.toFixed(2)}`),
    tensorCell(layer.tensor),
  ]);
  return `<h2>Kept float by the automatic fallback</h2>
<p>Goal (${fallback.goal}): ${escapeHtml(goal)}, measured on ${fallback.samples} samples.
Fully quantized: ${measure(fallback.before)}; with ${fallback.layers.length} layer${
    fallback.layers.length === 1 ? "" : "s"
  } kept float: ${measure(fallback.after)} (the lowest over the arithmetics measured: ${
    fallback.arithmetics.map((entry) =>
      `${entry.arithmetic} ${measure(entry.before)} before, ${measure(entry.after)} after`
    ).join("; ")
  }).
Each layer's gain is the measure with it float minus the measure with it integer (the others
kept float).</p>
${
    rows.length === 0 ? "" : table(
      [
        "operator (float model)",
        "op",
        accuracy ? "bought (top-1 points)" : "bought (dB)",
        "tensor",
      ],
      rows,
    )
  }`;
}

/**
 * The report of `comparison` as an HTML page; `variants` are the models compared (float first),
 * `title` heads the page; `fallback` is what the automatic fallback did, when it ran (its layers
 * are marked apart).
 */
export function comparisonReportHtml(
  comparison: ModelComparison,
  variants: ReportVariant[],
  title = "Quantization report",
  fallback?: QuantizeReport["fallback"],
): string {
  const keptByFallback = new Set(fallback?.layers.map((layer) => layer.tensor));
  const kindOf = (layer: LayerComparison): LayerKind =>
    layer.storage === "float" && keptByFallback.has(layer.floatTensor) ? "fallback" : layer.storage;
  const bars = comparison.layers.map((layer) => ({
    label: String(layer.operator),
    value: layer.sqnr,
    kind: kindOf(layer),
    title: `operator ${layer.operator} ${layer.op} (${KIND_NAMES[kindOf(layer)]}): ${
      decibels(layer.sqnr)
    } dB\n${layer.tensor}`,
  }));
  const kinds = [...new Set(comparison.layers.map(kindOf))];
  const keys = kinds.map((kind) =>
    `<span class="key" style="border-color:${COLORS[kind]}">${KIND_NAMES[kind]}</span>`
  ).join(" ");
  const outputs = table(
    ["output", "SQNR (dB)", "RMSE", "max |error|"],
    comparison.outputs.map((output) => [
      cell(output.name, true),
      cell(decibels(output.sqnr)),
      cell(shortNumber(output.rmse)),
      cell(shortNumber(output.maxAbs)),
    ]),
  );
  const histograms = comparison.histograms.map((entry) =>
    `<h3>operator ${entry.operator} ${escapeHtml(entry.op)}: ${decibels(entry.sqnr)} dB</h3>` +
    `<div class="tensor-name">${escapeHtml(entry.tensor)}</div>` +
    histogramChart(entry.histogram, entry.clipRanges)
  ).join("\n");
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body>
<h1>${escapeHtml(title)}</h1>
<p>${comparison.samples} sample${comparison.samples === 1 ? "" : "s"}, ${comparison.layers.length}
layers compared. SQNR is 10·log10(Σ float² / Σ error²) over every sample; exact layers show
${MAX_SQNR_DB} dB.</p>
<h2>Variants</h2>
${variantsTable(variants)}
<h2>Outputs</h2>
${outputs}
${fallback ? fallbackSection(fallback) : ""}
<h2>SQNR per layer</h2>
${barChart("sqnr-chart", bars, "SQNR (dB)", CHART_CEILING_DB)}
<div class="legend">${keys} <span>(bars labelled by operator index)</span></div>
${layersTable(comparison.layers, kindOf)}
<h2>Activations of the worst layers</h2>
<p>Float activations over every sample (counts on a log scale), with the range each method
would clip to (<em>used</em>: the range the conversion chose); <em>quantized</em> is the range
the file's scale and zero point hold.</p>
${histograms}
</body></html>
`;
}
