/**
 * The HTML report's text: self-contained (nothing to fetch), one bar per layer with kept-float
 * layers marked, names escaped, each clip range drawn; the variants table's sizes and changes.
 */
import assert from "node:assert/strict";
import type { LayerComparison, ModelComparison } from "../../../src/quantize/debug/compare.ts";
import { MAX_SQNR_DB } from "../../../src/quantize/debug/error_stats.ts";
import { comparisonReportHtml } from "../../../src/quantize/debug/report_html.ts";
import { barChart, histogramChart } from "../../../src/quantize/debug/svg_charts.ts";

function layer(operator: number, sqnr: number, storage: LayerComparison["storage"]) {
  const integer = storage === "integer";
  return {
    operator,
    op: operator === 2 ? "LOGISTIC" : "CONV_2D",
    tensor: `layer<${operator}>&"x"`,
    floatTensor: `layer<${operator}>&"x"`,
    matchedBy: "name" as const,
    sqnr,
    rmse: 0.01,
    maxAbs: 0.05,
    storage,
    scale: integer ? 0.02 : null,
    zeroPoint: integer ? -128 : null,
    min: integer ? 0 : null,
    max: integer ? 5.1 : null,
    floatMin: 0,
    floatMax: 6,
  };
}

const COMPARISON: ModelComparison = {
  samples: 10,
  outputs: [{ name: "logits", sqnr: 31.5, rmse: 0.1, maxAbs: 0.7 }],
  layers: [
    layer(0, MAX_SQNR_DB, "integer"),
    layer(1, 42.25, "integer"),
    layer(2, 35, "float"),
    layer(3, 28, "integer"),
  ],
  top1: { float: 0.9, quantized: 0.885 },
  histograms: [{
    operator: 3,
    op: "CONV_2D",
    tensor: "layer<3>",
    sqnr: 28,
    histogram: { low: 0, high: 6, counts: [50, 3, 0, 1, 0, 0, 0, 2] },
    clipRanges: [
      { method: "minmax", low: 0, high: 6 },
      { method: "percentile", low: 0, high: 5.5 },
      { method: "quantized", low: 0, high: 5.1 },
      { method: "entropy", low: 0, high: 4 },
    ],
  }],
};

const VARIANTS = [
  { name: "model.tflite", bytes: 80000, top1: 0.9 },
  { name: "model.int8.tflite", bytes: 24000, top1: 0.885 },
];

const count = (text: string, pattern: RegExp) => text.match(pattern)?.length ?? 0;

Deno.test("the report is one page with nothing to fetch", () => {
  const html = comparisonReportHtml(COMPARISON, VARIANTS, "A <test>");
  assert.ok(html.startsWith("<!DOCTYPE html>"));
  assert.doesNotMatch(html, /https?:|<script|<link|src=|url\(/i);
  assert.match(html, /<title>A &#60;test&#62;<\/title>/);
  assert.doesNotMatch(html, /layer<\d>/, "tensor names are escaped");
});

Deno.test("the SQNR chart: one bar per layer, kept float marked, exact layers capped", () => {
  const html = comparisonReportHtml(COMPARISON, VARIANTS);
  const chart = html.match(/<svg id="sqnr-chart"[\s\S]*?<\/svg>/)![0];
  assert.equal(count(chart, /<rect class="bar /g), 4);
  assert.equal(count(chart, /<rect class="bar float"/g), 1);
  assert.equal(count(chart, /<rect class="bar integer"/g), 3);
  assert.match(chart, /data-bars="4"/);
  // The exact layer stops at the chart's top and shows its value.
  assert.match(chart, new RegExp(`>${MAX_SQNR_DB}</text>`));
  assert.match(html, /kept float/);
});

Deno.test("the variants table: size against the first, accuracy change in points", () => {
  const html = comparisonReportHtml(COMPARISON, VARIANTS);
  assert.match(html, /<td>80,000<\/td><td>100\.0%<\/td><td>90\.00%<\/td><td>0\.00<\/td>/);
  assert.match(html, /<td>24,000<\/td><td>30\.0%<\/td><td>88\.50%<\/td><td>-1\.50<\/td>/);
});

Deno.test("histograms: one rect per bin, two lines per clip range, any method named", () => {
  const svg = histogramChart(
    COMPARISON.histograms[0].histogram,
    COMPARISON.histograms[0].clipRanges,
  );
  assert.equal(count(svg, /<rect class="bin"/g), 8);
  assert.equal(count(svg, /<line class="clip /g), 8);
  assert.equal(count(svg, /<line class="clip entropy"/g), 2);
  assert.match(svg, /entropy \[0, 4\]/);
  const empty = barChart("empty", [], "dB");
  assert.match(empty, /data-bars="0"/);
});
