/**
 * Int8 (and int16) ADD, SUB and MUL on the wasm `qs8_binary` (`qs16_binary`) kernel, with the
 * arithmetic of TFLite's reference, or for int8 ADD and MUL in the "xnnpack" arithmetic XNNPACK's
 * where its delegate takes the layer; large int8 ops in the reference arithmetic look their
 * results up in a table `qs8_binary` fills at load (`qs8_binary_table`).
 */
import { storeLayer } from "../../kernel_layout.ts";
import type { OpContext, PreparedOp } from "../../op.ts";
import { type BroadcastWalk, forEachRowPiece } from "../common/broadcast.ts";
import { rowSplitOp } from "../common/row_split.ts";
import { uniformConstants } from "../common/weight_packing.ts";
import {
  xnnpackActivationRange,
  xnnpackAddConstants,
  xnnpackMulScale,
} from "../common/xnnpack_arithmetic.ts";
import { params as quantization } from "../../quantization/parameters.ts";
import type { RuntimeTensor } from "../../tensor.ts";

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
 * The work (in GEMM multiply-adds, the unit of the split threshold) of one element of an integer
 * ADD, SUB or MUL computed by `qs8_binary` or `qs16_binary` in TFLite's arithmetic: its
 * requantizations (measured in Chromium: 1.5-1.9 ns an element on MobileNet V2's int8 ADD,
 * 0.02-0.05 ns a multiply-add in its GEMMs).
 */
const WORK_PER_REQUANTIZED_ELEMENT = 64;

/**
 * The work of one element looked up in an op's table. Measured in Chromium on MobileNet V2's int8
 * ADDs on 2 threads: 25088 elements took 0.82-0.89x their one-thread time divided, 18816 elements
 * 1.08-1.19x (an element-wise op also pays for moving its operands from the core that wrote them).
 */
const WORK_PER_LOOKED_UP_ELEMENT = 48;

/**
 * The work of one element of an int8 ADD or MUL in the "xnnpack" arithmetic (0.4 ns an element).
 * Measured as above: 75264 elements took 0.86x their one-thread time divided, 25088 and 18816
 * elements 1.26-2.05x.
 */
const WORK_PER_XNNPACK_ELEMENT = 16;

/**
 * The least elements of an int8 op in the reference arithmetic worth a lookup table (see
 * `qs8Binary`). Measured in Chromium on MobileNet V2's int8 ADDs (7840 to 75264 elements): 0.8-1.0
 * ns an element looked up against 1.8-1.9 ns through `qs8_binary`; MUL, measured in Deno on 75264
 * elements, 0.8 against 1.0-1.4 ns. Filling a table costs about 0.2 ms at load (65536 results and
 * 64 KiB of memory), which an op of 4096 elements wins back within about 50 runs; ops below
 * that take under 10 µs a run and keep computing.
 */
export const MIN_TABLE_ELEMENTS = 4096;

let minTableElements = MIN_TABLE_ELEMENTS;

/**
 * Sets the least elements of an int8 op given a lookup table for interpreters loaded from now on
 * (the tests force the table with 0, or keep it off with Infinity) and returns the previous value.
 */
export function setMinTableElements(elements: number): number {
  const previous = minTableElements;
  minTableElements = elements;
  return previous;
}

/**
 * The 65536-byte table of an int8 op: entry (a + 128) * 256 + b + 128 is its result on operand
 * values a and b, computed by `qs8_binary` itself (so the lookup gives the same bits), row a at a
 * time with a broadcast against every b.
 */
function lookupTable(context: OpContext, code: number, layerBlock: number): number {
  const { memory, kernels } = context;
  const table = memory.allocate(256 * 256);
  memory.withTemporary(256, (values) => {
    // Byte i holds the int8 value i - 128.
    memory.bytes(values, 256).set(Uint8Array.from({ length: 256 }, (_, i) => i ^ 0x80));
    for (let row = 0; row < 256; row++) {
      kernels.qs8_binary(code, values + row, 0, values, 1, table + row * 256, 256, layerBlock);
    }
  });
  return table;
}

/**
 * ADD, SUB and MUL on int8 rows in wasm (`qs8_binary`), or on int16 rows (`qs16_binary`, where
 * the caller has checked that no multiplier shifts left). Every element is computed alone, so the
 * op divides among threads by elements, each chunk cut along the broadcast rows, where the work of
 * its elements (by how they are computed) reaches the split threshold. An int8 op in TFLite's
 * reference arithmetic with at least `MIN_TABLE_ELEMENTS` elements looks each element up in its
 * table (`lookupTable`, `qs8_binary_table`) instead.
 */
export function qs8Binary(context: OpContext, layer: Int8Binary): PreparedOp {
  const { a, b, output, walk } = layer;
  const xnnpack = xnnpackBinary(context, layer);
  const { block: layerBlock, code } = xnnpack ?? referenceBinary(context, layer);
  const int16 = a.dtype === "int16";
  const size = int16 ? 2 : 1;
  const elements = walk.aRows.length * walk.rowLength;
  const table = !int16 && !xnnpack && elements >= minTableElements
    ? lookupTable(context, code, layerBlock)
    : null;
  return rowSplitOp([], context.kernels, {
    rows: elements,
    grain: 16,
    workPerRow: xnnpack
      ? WORK_PER_XNNPACK_ELEMENT
      : table !== null
      ? WORK_PER_LOOKED_UP_ELEMENT
      : WORK_PER_REQUANTIZED_ELEMENT,
    scratchBytes: 0,
    runRows(calls, first, end) {
      forEachRowPiece(walk, first, end, (x, y, z, count) => {
        const pa = a.offset + x * size;
        const pb = b.offset + y * size;
        const po = output.offset + z * size;
        if (table !== null) {
          calls.qs8_binary_table(pa, walk.aStep, pb, walk.bStep, po, count, table);
        } else {
          calls[int16 ? "qs16_binary" : "qs8_binary"](
            code,
            pa,
            walk.aStep,
            pb,
            walk.bStep,
            po,
            count,
            layerBlock,
          );
        }
      });
    },
  });
}
