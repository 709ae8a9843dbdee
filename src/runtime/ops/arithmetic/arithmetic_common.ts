/**
 * What the quantized binary ops computed in TypeScript share: their broadcast loop (DIV,
 * SQUARED_DIFFERENCE, PRELU) and TFLite's common-scale step of ADD, SUB and SQUARED_DIFFERENCE.
 */
import type { OpContext, PreparedOp } from "../../op.ts";
import { broadcastBinary } from "../common/broadcast.ts";
import {
  multiplyByQuantizedMultiplierSmallerThanOne,
  quantizeMultiplier,
} from "../../quantization/fixed_point.ts";
import type { RuntimeTensor } from "../../tensor.ts";

/** A per-tensor scale and zero point. */
type Params = { scale: number; zeroPoint: number };

/**
 * Two inputs brought to one scale as TFLite's ADD, SUB and SQUARED_DIFFERENCE do: each value
 * minus its zero point, shifted left by `leftShift` bits, times its scale over twice the larger
 * input scale (`twiceMax`; a multiplier below one, rounded as `multiplyByQuantizedMultiplier
 * SmallerThanOne`).
 */
export interface CommonScale {
  /** Twice the larger input scale: the common scale, before the left shift. */
  twiceMax: number;
  /** The quantized multiplier and shift of each input. */
  multipliers: [[number, number], [number, number]];
  /** A raw value of the first input at the common scale. */
  scaleA(x: number): number;
  /** A raw value of the second input at the common scale. */
  scaleB(y: number): number;
}

/** The common-scale step for inputs quantized by `pa` and `pb`, shifted by `leftShift` bits. */
export function commonScale(pa: Params, pb: Params, leftShift: number): CommonScale {
  const twiceMax = 2 * Math.max(pa.scale, pb.scale);
  const [multiplierA, shiftA] = quantizeMultiplier(pa.scale / twiceMax);
  const [multiplierB, shiftB] = quantizeMultiplier(pb.scale / twiceMax);
  return {
    twiceMax,
    multipliers: [[multiplierA, shiftA], [multiplierB, shiftB]],
    scaleA: (x) =>
      multiplyByQuantizedMultiplierSmallerThanOne(
        (x - pa.zeroPoint) * 2 ** leftShift,
        multiplierA,
        shiftA,
      ),
    scaleB: (y) =>
      multiplyByQuantizedMultiplierSmallerThanOne(
        (y - pb.zeroPoint) * 2 ** leftShift,
        multiplierB,
        shiftB,
      ),
  };
}

/** a op b over broadcast int8/uint8 inputs into the output, by `combine` on the raw values. */
export function quantizedBinary(
  context: OpContext,
  prepare: (
    a: RuntimeTensor,
    b: RuntimeTensor,
    output: RuntimeTensor,
  ) => (x: number, y: number) => number,
): PreparedOp {
  const a = context.input(0, "int8", "uint8");
  const b = context.input(1, a.dtype);
  const output = context.output(0, a.dtype);
  return broadcastBinary(context, a, b, output, prepare(a, b, output));
}
