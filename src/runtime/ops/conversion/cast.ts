/** CAST between numeric dtypes and bool. */
import { elementCount } from "../../../format/dtype.ts";
import type { OpContext, PreparedOp } from "../../op.ts";

const CASTABLE = [
  "float32",
  "float64",
  "int8",
  "uint8",
  "int16",
  "uint16",
  "int32",
  "uint32",
  "int64",
  "bool",
] as const;

/**
 * CAST: numbers convert as C++'s static_cast does (float to integer truncates toward zero),
 * anything to bool is `value != 0`.
 */
export function cast(context: OpContext): PreparedOp {
  const input = context.input(0, ...CASTABLE);
  const output = context.output(0, ...CASTABLE);
  output.shape = [...input.shape];
  const count = elementCount(input.shape);
  const memory = context.memory;
  const toBigInt = output.dtype === "int64";
  const toBool = output.dtype === "bool";
  const toInteger = output.dtype !== "float32" && output.dtype !== "float64";
  return {
    run() {
      const source = memory.view(input.dtype, input.offset, count);
      const target = memory.view(output.dtype, output.offset, count);
      for (let index = 0; index < count; index++) {
        const value = Number(source[index]);
        const converted = toBool ? (value !== 0 ? 1 : 0) : toInteger ? Math.trunc(value) : value;
        target[index] = toBigInt ? BigInt(converted) : converted as never;
      }
    },
  };
}
