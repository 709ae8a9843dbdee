/** `liteq inspect`: a model's structure as a readable summary or as JSON. */
import type { Model, Quantization, Subgraph, Tensor } from "../format/ir.ts";
import type { PlainValue } from "../format/plain.ts";

/** JSON-safe form of an options value: bigints as numbers, byte vectors as arrays. */
function jsonValue(value: PlainValue): unknown {
  if (typeof value === "bigint") {
    return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  }
  if (value instanceof Uint8Array) return Array.from(value);
  if (Array.isArray(value)) return value.map(jsonValue);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, jsonValue(item)]));
  }
  return value;
}

function quantizationJson(quantization: Quantization | null) {
  if (quantization === null) return null;
  const { scale, zeroPoint, quantizedDimension } = quantization;
  return { scale, zeroPoint, quantizedDimension };
}

/** The `inspect --json` object: the contract documented in the README. */
export function inspectJson(model: Model): Record<string, unknown> {
  return {
    version: model.version,
    subgraphs: model.subgraphs.map((subgraph) => ({
      name: subgraph.name,
      inputs: subgraph.inputs,
      outputs: subgraph.outputs,
      tensors: subgraph.tensors.map((tensor) => ({
        name: tensor.name,
        dtype: tensor.dtype,
        shape: tensor.shape,
        buffer: tensor.buffer,
        quantization: quantizationJson(tensor.quantization),
      })),
      operators: subgraph.operators.map((operator) => ({
        op: operator.op,
        version: operator.version,
        inputs: operator.inputs,
        outputs: operator.outputs,
        options: jsonValue(operator.options),
      })),
    })),
    signatures: model.signatures.map((signature) => ({
      key: signature.key,
      subgraphIndex: signature.subgraphIndex,
      inputs: signature.inputs,
      outputs: signature.outputs,
    })),
    metadata: model.metadata.map((entry) => entry.name),
  };
}

const number = new Intl.NumberFormat("en-US");

function compact(value: number): string {
  return Number(value.toPrecision(6)).toString();
}

function quantizationText(quantization: Quantization | null): string {
  if (quantization === null || quantization.scale.length === 0) return "";
  const { scale, zeroPoint, quantizedDimension } = quantization;
  if (scale.length === 1) return `  scale ${compact(scale[0])} zero point ${zeroPoint[0] ?? 0}`;
  const low = Math.min(...scale);
  const high = Math.max(...scale);
  return `  ${scale.length} scales on axis ${quantizedDimension} (${compact(low)}..${
    compact(high)
  })`;
}

function tensorLine(subgraph: Subgraph, index: number): string {
  const tensor: Tensor = subgraph.tensors[index];
  const signature = tensor.shapeSignature && tensor.shapeSignature.some((d) => d < 0)
    ? ` (signature [${tensor.shapeSignature}])`
    : "";
  return `    ${index} ${
    JSON.stringify(tensor.name)
  } ${tensor.dtype} [${tensor.shape}]${signature}` +
    quantizationText(tensor.quantization);
}

/** A readable summary of a model: what `liteq inspect` prints. */
export function inspectText(model: Model, fileName: string, fileBytes: number): string {
  const lines: string[] = [];
  const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;
  lines.push(
    `${fileName}: ${number.format(fileBytes)} bytes, TFLite schema v${model.version}, ` +
      plural(model.subgraphs.length, "subgraph"),
  );
  if (model.description) lines.push(`description: ${model.description}`);
  model.subgraphs.forEach((subgraph, index) => {
    lines.push(
      `subgraph ${index} ${JSON.stringify(subgraph.name)}: ${
        plural(subgraph.tensors.length, "tensor")
      }, ` +
        plural(subgraph.operators.length, "operator"),
    );
    lines.push("  inputs:");
    for (const input of subgraph.inputs) lines.push(tensorLine(subgraph, input));
    lines.push("  outputs:");
    for (const output of subgraph.outputs) lines.push(tensorLine(subgraph, output));
    const counts = new Map<string, number>();
    for (const operator of subgraph.operators) {
      const name = `${operator.custom ? "custom " : ""}${operator.op} v${operator.version}`;
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    if (counts.size > 0) {
      lines.push("  operators:");
      for (
        const [name, count] of [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      ) {
        lines.push(`    ${String(count).padStart(4)} x ${name}`);
      }
    }
  });
  const bytesByDtype = new Map<string, { bytes: number; tensors: number }>();
  for (const subgraph of model.subgraphs) {
    for (const tensor of subgraph.tensors) {
      if (tensor.data === null) continue;
      const entry = bytesByDtype.get(tensor.dtype) ?? { bytes: 0, tensors: 0 };
      entry.bytes += tensor.data.byteLength;
      entry.tensors += 1;
      bytesByDtype.set(tensor.dtype, entry);
    }
  }
  lines.push("constant tensor bytes by dtype:");
  if (bytesByDtype.size === 0) lines.push("    (none)");
  for (
    const [dtype, { bytes, tensors }] of [...bytesByDtype].sort((a, b) => b[1].bytes - a[1].bytes)
  ) {
    lines.push(
      `    ${dtype.padEnd(9)} ${number.format(bytes).padStart(12)} bytes in ${
        plural(tensors, "tensor")
      }`,
    );
  }
  lines.push(model.signatures.length > 0 ? "signatures:" : "signatures: (none)");
  for (const signature of model.signatures) {
    const names = (entries: { name: string }[]) => entries.map((entry) => entry.name).join(", ");
    lines.push(
      `    ${JSON.stringify(signature.key)} on subgraph ${signature.subgraphIndex}: ` +
        `inputs (${names(signature.inputs)}) outputs (${names(signature.outputs)})`,
    );
  }
  const metadata = model.metadata.map((entry) => entry.name);
  lines.push(`metadata: ${metadata.length > 0 ? metadata.join(", ") : "(none)"}`);
  return lines.join("\n");
}
