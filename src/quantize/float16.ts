/**
 * float16 quantization, as TensorFlow's converter does it: every float32 constant read by an op
 * is stored as IEEE half behind a DEQUANTIZE (version 3) that restores float32, placed at the
 * start of the subgraph; the ops themselves stay float32. Finite values beyond the half range are
 * clamped to +-65504 and NaN stays NaN, as TensorFlow 2.21's converter writes them; infinities
 * stay infinities (TensorFlow 2.21 clamps them too, which turns a clip bound of +Inf into 65504
 * and changes openWakeWord's melspectrogram outputs: liteq keeps the model's meaning).
 */
import { elementCount } from "../format/dtype.ts";
import type { Model } from "../format/ir.ts";
import { isFloatConstant, plainOperator, readersOf } from "./graph.ts";
import type { QuantizeOptions, QuantizeReport } from "./options.ts";
import { halfBitsOf } from "./half.ts";

const HALF_MAX = 65504;

/**
 * float32 values as IEEE half bits, rounded to nearest even; finite values clamped to the half
 * range, infinities kept.
 */
export function toHalfBits(values: Float32Array): Uint16Array {
  return Uint16Array.from(
    values,
    (value) =>
      halfBitsOf(Number.isFinite(value) ? Math.max(-HALF_MAX, Math.min(HALF_MAX, value)) : value),
  );
}

/** Rewrites `model` (a copy) in place for float16 weights; fills `report`. */
export function quantizeFloat16(model: Model, options: QuantizeOptions, report: QuantizeReport) {
  const denied = new Set(options.denylist ?? []);
  // How many constants read each buffer (a converter stores equal bytes once): the halves of a
  // shared one go to a buffer of their own, since the others may stay as they are.
  const readersByBuffer = new Map<number, number>();
  for (const tensor of model.subgraphs.flatMap((subgraph) => subgraph.tensors)) {
    if (tensor.data === null) continue;
    readersByBuffer.set(tensor.buffer, (readersByBuffer.get(tensor.buffer) ?? 0) + 1);
  }
  model.subgraphs.forEach((subgraph, subgraphIndex) => {
    const readers = readersOf(subgraph);
    const dequantizes = [];
    const halvesByBuffer = new Map<number, { halves: Uint16Array; buffer: number }>();
    const tensorCount = subgraph.tensors.length;
    for (let index = 0; index < tensorCount; index++) {
      const tensor = subgraph.tensors[index];
      const reading = readers.get(index) ?? [];
      if (
        !isFloatConstant(tensor) || tensor.isVariable ||
        elementCount(tensor.shape) === 0 || reading.length === 0
      ) continue;
      if (denied.has(tensor.name) || reading.every((op) => denied.has(subgraph.operators[op].op))) {
        continue;
      }
      let halves = halvesByBuffer.get(tensor.buffer);
      if (!halves) {
        const shared = readersByBuffer.get(tensor.buffer)! > 1;
        halves = {
          halves: toHalfBits(tensor.data as Float32Array),
          buffer: shared ? model.buffers.push(new Uint8Array(0)) - 1 : tensor.buffer,
        };
        halvesByBuffer.set(tensor.buffer, halves);
      }
      subgraph.tensors.push({
        ...tensor,
        dtype: "float16",
        data: halves.halves,
        buffer: halves.buffer,
      });
      const half = subgraph.tensors.length - 1;
      subgraph.tensors[index] = {
        ...tensor,
        name: `${tensor.name}/dequantized`,
        buffer: 0,
        data: null,
      };
      dequantizes.push(plainOperator("DEQUANTIZE", 3, [half], [index]));
    }
    const touched = new Set<number>();
    for (const dequantize of dequantizes) {
      for (const op of readers.get(dequantize.outputs[0]) ?? []) touched.add(op);
    }
    subgraph.operators.forEach((operator, index) => {
      if (touched.has(index)) {
        report.quantized.push({
          operator: index,
          ...(subgraphIndex > 0 ? { subgraph: subgraphIndex } : {}),
          op: operator.op,
          detail: "float16 constants",
        });
      }
    });
    subgraph.operators.unshift(...dequantizes);
  });
  // A shared buffer whose readers all took halves of their own holds nothing now.
  for (const tensor of model.subgraphs.flatMap((subgraph) => subgraph.tensors)) {
    if (tensor.data !== null) readersByBuffer.delete(tensor.buffer);
  }
  for (const buffer of readersByBuffer.keys()) model.buffers[buffer] = new Uint8Array(0);
}
