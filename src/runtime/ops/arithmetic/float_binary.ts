/**
 * Float32 binary ops (with broadcasting and a fused activation) on the wasm `f32_binary`
 * kernel, large ones divided among threads by elements; int32 ones (shape arithmetic, usually
 * computed at load) in TypeScript.
 */
import type { OpKernel } from "../../op.ts";
import { floatActivationRange } from "../common/activation_range.ts";
import {
  broadcastBinary,
  broadcastShapes,
  broadcastWalk,
  forEachRowPiece,
} from "../common/broadcast.ts";
import { rowSplitOp } from "../common/row_split.ts";

/** Codes of `f32_binary` (assembly/f32_elementwise.ts). */
const BINARY_CODES = {
  ADD: 0,
  SUB: 1,
  MUL: 2,
  DIV: 3,
  MAXIMUM: 4,
  MINIMUM: 5,
  SQUARED_DIFFERENCE: 6,
} as const;

const INTEGER_BINARY: Record<keyof typeof BINARY_CODES, (a: number, b: number) => number> = {
  ADD: (a, b) => a + b,
  SUB: (a, b) => a - b,
  MUL: (a, b) => Math.imul(a, b),
  // TFLite's integer division floors.
  DIV: (a, b) => Math.floor(a / b),
  MAXIMUM: Math.max,
  MINIMUM: Math.min,
  SQUARED_DIFFERENCE: (a, b) => Math.imul(a - b, a - b),
};

/** ADD, SUB, MUL, DIV, MAXIMUM, MINIMUM or SQUARED_DIFFERENCE on float32 or int32. */
export function floatBinary(op: keyof typeof BINARY_CODES): OpKernel {
  return (context) => {
    const a = context.input(0, "float32", "int32");
    const b = context.input(1, a.dtype);
    const output = context.output(0, a.dtype);
    const [low, high] = floatActivationRange(context);
    if (a.dtype === "int32") {
      const apply = INTEGER_BINARY[op];
      return broadcastBinary(
        context,
        a,
        b,
        output,
        (x, y) => Math.min(Math.max(apply(x, y), low), high),
      );
    }
    output.shape = broadcastShapes(context, a.shape, b.shape);
    const walk = broadcastWalk(a.shape, b.shape, output.shape);
    const code = BINARY_CODES[op];
    const kernels = context.kernels;
    // Every element is computed alone: the op divides among threads by elements (only a large
    // one has work enough), each chunk cut along the broadcast rows.
    return rowSplitOp([], kernels, {
      rows: walk.aRows.length * walk.rowLength,
      grain: 4,
      workPerRow: 1,
      scratchBytes: 0,
      runRows(calls, first, end) {
        forEachRowPiece(walk, first, end, (x, y, z, count) =>
          calls.f32_binary(
            code,
            a.offset + x * 4,
            walk.aStep,
            b.offset + y * 4,
            walk.bStep,
            output.offset + z * 4,
            count,
            low,
            high,
          ));
      },
    });
  };
}
