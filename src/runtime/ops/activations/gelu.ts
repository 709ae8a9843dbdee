/**
 * GELU, exact (0.5 x erfc(-x / sqrt 2)) or tanh-approximated (`approximate`), as TFLite computes
 * it: float32 element by element, and int8, uint8 and int16 through lookup tables built from the
 * same float32 function (`quantization/lookup_tables.ts`).
 */
import type { OpContext, OpKernel, PreparedOp } from "../../op.ts";
import { scalarUnary } from "../common/float_unary.ts";
import { tableKernel } from "../common/table_kernel.ts";

const f = Math.fround;
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/**
 * erf(x) for |x| < 1.5 from its series of positive terms,
 * (2 / sqrt pi) e^(-x^2) sum 2^n x^(2n+1) / (1 * 3 * ... * (2n+1)): no cancellation, double
 * precision.
 */
function erfSeries(x: number): number {
  const twiceSquare = 2 * x * x;
  let term = x;
  let sum = x;
  for (let n = 1; Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
    term *= twiceSquare / (2 * n + 1);
    sum += term;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-x * x) * sum;
}

/**
 * erfc(x) for x >= 1.5 from its continued fraction, e^(-x^2) / sqrt pi / (x + (1/2) / (x + 1 /
 * (x + ...))); 100 terms reach double precision from x = 1.5 on.
 */
function erfcFraction(x: number): number {
  let tail = 0;
  for (let k = 100; k >= 1; k--) tail = k / 2 / (x + tail);
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / (x + tail);
}

/** The complementary error function, to double precision. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  return x < 1.5 ? 1 - erfSeries(x) : erfcFraction(x);
}

/**
 * erfc(x) within 1.5e-7 (Abramowitz and Stegun 7.1.26): one exponential and a short polynomial,
 * for the float32 kernel, where it keeps GELU within float32 rounding noise of TFLite's erfcf
 * at a fraction of the cost of `erfc` (which the lookup tables use, to round as TFLite does).
 */
export function erfcFast(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * z);
  const polynomial = t *
    (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const tail = polynomial * Math.exp(-z * z);
  return x >= 0 ? tail : 2 - tail;
}

/** sqrt(2 / pi) as TFLite's float32 constant. */
const SQRT_2_OVER_PI = f(TWO_OVER_SQRT_PI * Math.SQRT1_2);

/** TFLite's GeluTransform in float32: 0.5 x erfc(x * -(1 / sqrt 2)). */
export function gelu(x: number): number {
  return f(f(0.5 * x) * f(erfc(f(x * f(-Math.SQRT1_2)))));
}

/**
 * TFLite's GeluTransformApproximate in float32: 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))).
 */
export function geluApproximate(x: number): number {
  const cubic = f(f(f(f(0.044715) * x) * x) * x);
  return f(f(0.5 * x) * f(1 + f(Math.tanh(f(SQRT_2_OVER_PI * f(x + cubic))))));
}

/** GELU on float32, element by element (the exact form through `erfcFast`). */
export const floatGelu: OpKernel = scalarUnary((context) =>
  context.options.approximate
    ? geluApproximate
    : (x: number) => f(f(0.5 * x) * f(erfcFast(f(x * f(-Math.SQRT1_2)))))
);

/** GELU on int8, uint8 and int16 through TFLite's lookup tables. */
export const integerGelu: OpKernel = tableKernel((context) =>
  context.options.approximate ? geluApproximate : gelu
);

/** GELU: through tables for int8, uint8 and int16 inputs, float32 otherwise. */
export function geluKernel(context: OpContext): PreparedOp {
  switch (context.inputs[0]?.dtype) {
    case "int8":
    case "uint8":
    case "int16":
      return integerGelu(context);
    default:
      return floatGelu(context);
  }
}
