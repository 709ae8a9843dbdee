/**
 * Int8 (and int16) ADD, SUB and MUL on the wasm `qs8_binary` (`qs16_binary`) kernel, with the
 * arithmetic of TFLite's reference, or for int8 ADD and MUL in the "xnnpack" arithmetic XNNPACK's
 * where its delegate takes the layer.
 */
import { storeLayer } from "../../kernel_layout.ts";
import type { OpContext, PreparedOp } from "../../op.ts";
import { type BroadcastWalk, forEachRowPiece } from "../common/broadcast.ts";
import { rowSplitOp, WORK_PER_INTEGER_ELEMENT } from "../common/row_split.ts";
import { channelConstants } from "../common/weight_packing.ts";
import {
  xnnpackActivationRange,
  xnnpackAddConstants,
  xnnpackMulScale,
} from "../common/xnnpack_arithmetic.ts";
import { params as quantization } from "../../quantization/parameters.ts";
import type { RuntimeTensor } from "../../tensor.ts";

/** Requantization constants of one multiplier for the 4 lanes of `qs8_binary`. */
function uniformConstants(context: OpContext, multiplier: number, shift: number): number {
  return channelConstants(
    context,
    new Int32Array(4),
    new Int32Array(4).fill(multiplier),
    new Int32Array(4).fill(shift),
    4,
    Infinity,
  ).params;
}

/** The layer block and op code of TFLite's reference arithmetic. */
function referenceBinary(context: OpContext, layer: Int8Binary): { block: number; code: number } {
  const { zeroPoints, low, high } = layer;
  const constants = layer.multipliers.map(([multiplier, shift]) =>
    uniformConstants(context, multiplier, shift)
  );
  const [paramsA, paramsB, params] = layer.op === "MUL"
    ? [constants[0], constants[0], constants[0]]
    : constants;
  const [zeroA, zeroB, zeroPoint] = zeroPoints;
  const block = storeLayer(context.memory, {
    zeroA,
    zeroB,
    zeroPoint,
    lowI: low,
    highI: high,
    paramsA,
    paramsB,
    params,
  });
  return { block, code: { ADD: 0, SUB: 1, MUL: 2 }[layer.op] };
}

/** What an int8 ADD, SUB or MUL prepared (see `add_sub.ts`, `mul.ts`). */
export interface Int8Binary {
  op: "ADD" | "SUB" | "MUL";
  a: RuntimeTensor;
  b: RuntimeTensor;
  output: RuntimeTensor;
  zeroPoints: [number, number, number];
  low: number;
  high: number;
  /** [multiplier, shift] pairs: input A, input B, output (only the output's for MUL). */
  multipliers: [number, number][];
  walk: BroadcastWalk;
}

/**
 * The layer block and op code of an ADD or MUL in XNNPACK's arithmetic, or null where it does
 * not apply (SUB, or scales XNNPACK's delegate leaves to TensorFlow Lite's own kernel).
 */
function xnnpackBinary(
  context: OpContext,
  layer: Int8Binary,
): { block: number; code: number } | null {
  if (context.arithmetic !== "xnnpack" || layer.op === "SUB" || layer.a.dtype !== "int8") {
    return null;
  }
  const [pa, pb, po] = [layer.a, layer.b, layer.output].map((tensor) =>
    quantization(context, tensor)
  );
  const constants = layer.op === "ADD"
    ? xnnpackAddConstants(pa, pb, po)
    : xnnpackMulScale(pa.scale, pb.scale, po.scale);
  if (!constants) return null;
  const [lowI, highI] = xnnpackActivationRange(context, layer.output);
  const block = storeLayer(context.memory, {
    zeroA: layer.zeroPoints[0],
    zeroB: layer.zeroPoints[1],
    zeroPoint: layer.zeroPoints[2],
    lowI,
    highI,
    params: context.memory.store(constants),
  });
  return { block, code: layer.op === "ADD" ? 3 : 4 };
}

/**
 * ADD, SUB and MUL on int8 rows in wasm (`qs8_binary`), or on int16 rows (`qs16_binary`, where
 * the caller has checked that no multiplier shifts left). Every element is computed alone, so the
 * op divides among threads by elements, each chunk cut along the broadcast rows; an element costs
 * `WORK_PER_INTEGER_ELEMENT` of the work the split threshold counts.
 */
export function qs8Binary(context: OpContext, layer: Int8Binary): PreparedOp {
  const { a, b, output, walk } = layer;
  const { block: layerBlock, code } = xnnpackBinary(context, layer) ??
    referenceBinary(context, layer);
  const int16 = a.dtype === "int16";
  const kernel = int16 ? "qs16_binary" : "qs8_binary";
  const size = int16 ? 2 : 1;
  return rowSplitOp([], context.kernels, {
    rows: walk.aRows.length * walk.rowLength,
    grain: 16,
    workPerRow: WORK_PER_INTEGER_ELEMENT,
    scratchBytes: 0,
    runRows(calls, first, end) {
      forEachRowPiece(walk, first, end, (x, y, z, count) =>
        calls[kernel](
          code,
          a.offset + x * size,
          walk.aStep,
          b.offset + y * size,
          walk.bStep,
          output.offset + z * size,
          count,
          layerBlock,
        ));
    },
  });
}
