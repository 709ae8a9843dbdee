/**
 * Element-wise integer kernels through TFLite's lookup tables (`quantization/lookup_tables.ts`).
 */
import type { OpContext, OpKernel } from "../../op.ts";
import { elementwiseRun } from "./elementwise_run.ts";
import {
  lookupTable16,
  lookupTable8,
  populateTable16,
  type TableFunction,
} from "../../quantization/lookup_tables.ts";
import { params, RANGES } from "../../quantization/parameters.ts";
import type { RuntimeTensor } from "../../tensor.ts";

/**
 * An element-wise kernel through a lookup table: 256 entries for int8/uint8, 513 interpolated
 * float32-built ones for int16. `functionFor` gives the float function (some depend on the
 * tensors' scales).
 */
export function tableKernel(
  functionFor: (context: OpContext, input: RuntimeTensor, output: RuntimeTensor) => TableFunction,
): OpKernel {
  return (context) => {
    const input = context.input(0, "int8", "uint8", "int16");
    const output = context.output(0, input.dtype);
    output.shape = [...input.shape];
    const transform = functionFor(context, input, output);
    if (input.dtype === "int16") {
      const pin = params(context, input);
      const pout = params(context, output);
      const table = populateTable16(
        pin.scale,
        pin.zeroPoint,
        pout.scale,
        pout.zeroPoint,
        transform,
        "float32",
      );
      return elementwiseRun(context, input, output, (value) => lookupTable16(table, value));
    }
    const table = lookupTable8(context, input, output, transform);
    const [low] = RANGES[input.dtype];
    return elementwiseRun(context, input, output, (value) => table[value - low]);
  };
}
