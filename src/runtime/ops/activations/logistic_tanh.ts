/**
 * LOGISTIC and TANH: float32 on the wasm kernel (LOGISTIC with TFLite's cutoffs), int8/uint8
 * through lookup tables, int16 as TFLite.
 */
import { elementCount } from "../../../format/dtype.ts";
import type { OpContext, PreparedOp } from "../../op.ts";
import { int16Logistic, int16Tanh } from "./logistic_tanh_int16.ts";
import { floatUnary } from "../common/float_unary.ts";
import { tableKernel } from "../common/table_kernel.ts";

/** LOGISTIC through TFLite's int8/uint8 table, its float32 form 1 / (1 + exp(-x)). */
const tableLogistic = tableKernel(() => (value) =>
  Math.fround(1 / Math.fround(1 + Math.fround(Math.exp(-value))))
);

/** TANH through TFLite's int8/uint8 table. */
const tableTanh = tableKernel(() => Math.tanh);

/** TFLite's float LOGISTIC cutoffs: exp(x) below the lower one, 1 above the upper one. */
const LOGISTIC_LOWER = -9;
const LOGISTIC_UPPER = Math.fround(16.619047164916992188);

/**
 * Float32 LOGISTIC as TFLite's reference kernel computes it: 1 / (1 + exp(-x)) on the wasm kernel,
 * then exp(x) where x < -9 and 1 where x > 16.619047 (the reference's cutoffs).
 */
function floatLogistic(context: OpContext): PreparedOp {
  const prepared = floatUnary("LOGISTIC")(context);
  const input = context.inputs[0]!;
  const output = context.outputs[0];
  const memory = context.memory;
  return {
    ...prepared,
    run(scratch) {
      prepared.run(scratch);
      const count = elementCount(input.shape);
      const x = memory.f32(input.offset, count);
      const y = memory.f32(output.offset, count);
      for (let index = 0; index < count; index++) {
        const value = x[index];
        if (value < LOGISTIC_LOWER) y[index] = Math.exp(value);
        else if (value > LOGISTIC_UPPER) y[index] = 1;
      }
    },
  };
}

/** LOGISTIC: int16 as TFLite, int8 and uint8 through a table, float32 otherwise. */
export function logistic(context: OpContext): PreparedOp {
  switch (context.inputs[0]?.dtype) {
    case "int16":
      return int16Logistic(context);
    case "int8":
    case "uint8":
      return tableLogistic(context);
    default:
      return floatLogistic(context);
  }
}

/** TANH: int16 as TFLite, int8 and uint8 through a table, float32 otherwise. */
export function tanh(context: OpContext): PreparedOp {
  switch (context.inputs[0]?.dtype) {
    case "int16":
      return int16Tanh(context);
    case "int8":
    case "uint8":
      return tableTanh(context);
    default:
      return floatUnary("TANH")(context);
  }
}
