/** LOCAL_RESPONSE_NORMALIZATION along the last axis, float32. */
import { elementCount } from "../../../format/dtype.ts";
import type { OpContext, PreparedOp } from "../../op.ts";

const f = Math.fround;

/**
 * LOCAL_RESPONSE_NORMALIZATION (TFLite's reference): x_c (bias + alpha sum of x^2 over channels
 * c - radius to c + radius - 1)^-beta, the sum and the power in float32. TFLite's window stops one
 * channel short of TensorFlow's c + radius, and TensorFlow's interpreter gives what TFLite does.
 */
export function localResponseNormalization(context: OpContext): PreparedOp {
  const input = context.input(0, "float32");
  const output = context.output(0, "float32");
  if (input.shape.length !== 4) context.unsupported(`input [${input.shape}] must be 4-D`);
  output.shape = [...input.shape];
  const options = context.options;
  const radius = Number(options.radius ?? 0);
  const bias = f(Number(options.bias ?? 0));
  const alpha = f(Number(options.alpha ?? 0));
  const beta = f(Number(options.beta ?? 0));
  const depth = input.shape[3];
  const rows = elementCount(input.shape.slice(0, 3));
  const memory = context.memory;
  return {
    run() {
      const x = memory.f32(input.offset, rows * depth);
      const y = memory.f32(output.offset, rows * depth);
      for (let row = 0; row < rows; row++) {
        const base = row * depth;
        for (let c = 0; c < depth; c++) {
          let sum = 0;
          for (let j = Math.max(0, c - radius); j < Math.min(depth, c + radius); j++) {
            sum = f(sum + f(x[base + j] * x[base + j]));
          }
          const multiplier = f(Math.pow(f(bias + f(alpha * sum)), -beta));
          y[base + c] = f(x[base + c] * multiplier);
        }
      }
    },
  };
}
