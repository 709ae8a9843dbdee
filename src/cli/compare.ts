/**
 * `liteq compare FLOAT QUANTIZED --data X.npy [--labels Y.npy] [--input-shape ..] [--json]
 * [--html report.html]`: the per-layer debugger. Prints each quantized layer's error against the
 * float tensor it replaces, the outputs' error and top-1 accuracy, as text or as JSON; writes the
 * HTML report.
 */
import { basename } from "node:path";
import { FileError, writeBytesAtomic } from "../io/files.ts";
import { UnsupportedModelError } from "../runtime/op.ts";
import { SampleError } from "../runtime/samples.ts";
import {
  compareModels,
  type LayerComparison,
  type ModelComparison,
  ModelMismatchError,
} from "../quantize/debug/compare.ts";
import { MAX_SQNR_DB } from "../quantize/debug/error_stats.ts";
import { comparisonReportHtml } from "../quantize/debug/report_html.ts";
import { shortNumber } from "../quantize/debug/svg_charts.ts";
import { parseArguments, parseInputShapes, UsageError } from "./arguments.ts";
import { loadNpy } from "./evaluate.ts";
import { loadModel } from "./load.ts";
import { ProgressBar } from "./progress.ts";

/** The fields of `--json`: outputs, layers (the documented fields only) and top-1. */
export function comparisonJson(comparison: ModelComparison): object {
  return {
    outputs: comparison.outputs.map(({ name, sqnr, rmse, maxAbs }) => ({
      name,
      sqnr,
      rmse,
      maxAbs,
    })),
    layers: comparison.layers.map((layer) => ({
      operator: layer.operator,
      op: layer.op,
      tensor: layer.tensor,
      sqnr: layer.sqnr,
      rmse: layer.rmse,
      maxAbs: layer.maxAbs,
      scale: layer.scale,
      zeroPoint: layer.zeroPoint,
      min: layer.min,
      max: layer.max,
    })),
    top1: comparison.top1,
  };
}

const decibels = (value: number) => value >= MAX_SQNR_DB ? "exact" : value.toFixed(1);

function layerLine(layer: LayerComparison): string {
  const held = layer.scale === null
    ? layer.storage === "hybrid" ? "hybrid (float activations)" : "kept float"
    : `scale ${shortNumber(layer.scale)} zero point ${layer.zeroPoint} range [${
      shortNumber(layer.min!)
    }, ${shortNumber(layer.max!)}]`;
  return `${String(layer.operator).padStart(4)} ${layer.op.padEnd(18)} ${
    decibels(layer.sqnr).padStart(6)
  } ${shortNumber(layer.rmse).padStart(10)} ${shortNumber(layer.maxAbs).padStart(10)}  ${held}`;
}

/** The text summary: variants, outputs, then one line per layer with the worst marked. */
function comparisonText(
  comparison: ModelComparison,
  names: [string, string],
  sizes: [number, number],
): string {
  const lines = [`compared on ${comparison.samples} samples`];
  const top1 = comparison.top1;
  names.forEach((name, position) => {
    const accuracy = top1 ? [top1.float, top1.quantized][position] : null;
    const change = top1 && position === 1
      ? ` (${(top1.quantized - top1.float) * 100 >= 0 ? "+" : ""}${
        ((top1.quantized - top1.float) * 100).toFixed(2)
      })`
      : "";
    lines.push(
      `${name}: ${sizes[position]} bytes` +
        (accuracy === null ? "" : `, top-1 ${(accuracy * 100).toFixed(2)}%${change}`),
    );
  });
  comparison.outputs.forEach((output, position) =>
    lines.push(
      `output ${position} "${output.name}": SQNR ${decibels(output.sqnr)} dB, RMSE ${
        shortNumber(output.rmse)
      }, max |error| ${shortNumber(output.maxAbs)}`,
    )
  );
  lines.push(
    `${"#".padStart(4)} ${"op".padEnd(18)} ${"SQNR".padStart(6)} ${"RMSE".padStart(10)} ${
      "max |err|".padStart(10)
    }  stored as`,
  );
  for (const layer of comparison.layers) lines.push(layerLine(layer));
  const worst = comparison.layers.toSorted((a, b) => a.sqnr - b.sqnr)[0];
  if (worst) {
    lines.push(`worst layer: operator ${worst.operator} ${worst.op} "${worst.tensor}"`);
  }
  return lines.join("\n");
}

/** Runs the `compare` command. */
export async function compare(argv: string[]): Promise<void> {
  const { positional, flags } = parseArguments(
    argv,
    {
      data: "string",
      labels: "string",
      "input-shape": "strings",
      json: "boolean",
      html: "string",
    },
    2,
  );
  const inputShapes = parseInputShapes(flags["input-shape"] ?? []);
  if (!flags.data) throw new UsageError("compare needs --data X.npy");
  const [floatPath, quantizedPath] = positional;
  const [float, quantized] = [await loadModel(floatPath), await loadModel(quantizedPath)];
  const inputCount = float.model.subgraphs[0]?.inputs.length ?? 0;
  if (inputShapes.length > inputCount) {
    throw new UsageError(
      `--input-shape given ${inputShapes.length} times; ${floatPath} takes ${inputCount} input${
        inputCount === 1 ? "" : "s"
      }`,
    );
  }
  const data = await Promise.all(flags.data.split(",").map(loadNpy));
  const labels = flags.labels ? await loadNpy(flags.labels) : undefined;
  const progress = new ProgressBar("comparing", data[0]?.shape[0] ?? 0);
  let comparison: ModelComparison;
  try {
    comparison = await compareModels(float.model, quantized.model, data, {
      labels,
      inputShapes,
      onSample: (done) => progress.update(done),
    });
  } catch (error) {
    if (error instanceof SampleError) throw new FileError(flags.data, error.message);
    if (error instanceof ModelMismatchError) throw new FileError(quantizedPath, error.message);
    if (error instanceof UnsupportedModelError) {
      const path = error.where.startsWith("float model") ? floatPath : quantizedPath;
      throw new FileError(path, error.message);
    }
    throw error;
  } finally {
    progress.finish();
  }
  if (flags.html) {
    const html = comparisonReportHtml(
      comparison,
      [
        { name: basename(floatPath), bytes: float.bytes, top1: comparison.top1?.float ?? null },
        {
          name: basename(quantizedPath),
          bytes: quantized.bytes,
          top1: comparison.top1?.quantized ?? null,
        },
      ],
      `${basename(quantizedPath)} against ${basename(floatPath)}`,
    );
    await writeBytesAtomic(flags.html, new TextEncoder().encode(html));
  }
  if (flags.json) {
    console.log(JSON.stringify(comparisonJson(comparison)));
    return;
  }
  console.log(
    comparisonText(comparison, [floatPath, quantizedPath], [float.bytes, quantized.bytes]),
  );
  if (flags.html) console.log(`report written to ${flags.html}`);
}
