/**
 * LOGISTIC and TANH: float32 on the wasm kernel, int8/uint8 through lookup tables, int16 as TFLite.
 */
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

/** LOGISTIC: int16 as TFLite, int8 and uint8 through a table, float32 otherwise. */
export function logistic(context: OpContext): PreparedOp {
  switch (context.inputs[0]?.dtype) {
    case "int16":
      return int16Logistic(context);
    case "int8":
    case "uint8":
      return tableLogistic(context);
    default:
      return floatUnary("LOGISTIC")(context);
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
