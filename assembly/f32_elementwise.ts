// Float32 element-wise kernels. Binary ops take each operand with a step of 1 (a full row) or 0
// (one value broadcast along the row); the TypeScript side walks the outer, broadcast dimensions.
// Results are clamped to [low, high] (a fused activation, or +-Infinity for none).

/** Binary op codes, shared with `src/runtime/kernels.ts`. */
// @ts-ignore: decorator
@inline const ADD = 0;
// @ts-ignore: decorator
@inline const SUB = 1;
// @ts-ignore: decorator
@inline const MUL = 2;
// @ts-ignore: decorator
@inline const DIV = 3;
// @ts-ignore: decorator
@inline const MAXIMUM = 4;
// @ts-ignore: decorator
@inline const MINIMUM = 5;
// @ts-ignore: decorator
@inline const SQUARED_DIFFERENCE = 6;

// @ts-ignore: decorator
@inline
function binary4(op: i32, a: v128, b: v128): v128 {
  switch (op) {
    case ADD: return f32x4.add(a, b);
    case SUB: return f32x4.sub(a, b);
    case MUL: return f32x4.mul(a, b);
    case DIV: return f32x4.div(a, b);
    case MAXIMUM: return f32x4.max(a, b);
    case MINIMUM: return f32x4.min(a, b);
    default: {
      const difference = f32x4.sub(a, b);
      return f32x4.mul(difference, difference);
    }
  }
}

// @ts-ignore: decorator
@inline
function binary1(op: i32, a: f32, b: f32): f32 {
  switch (op) {
    case ADD: return a + b;
    case SUB: return a - b;
    case MUL: return a * b;
    case DIV: return a / b;
    case MAXIMUM: return max(a, b);
    case MINIMUM: return min(a, b);
    default: return (a - b) * (a - b);
  }
}

/** out[i] = clamp(a[i * aStep] op b[i * bStep]) for i < n; steps are 0 or 1. */
export function f32_binary(
  op: i32, a: usize, aStep: i32, b: usize, bStep: i32, output: usize, n: i32, low: f32, high: f32,
): void {
  const lowV = f32x4.splat(low);
  const highV = f32x4.splat(high);
  const aAdvance = <usize>aStep << 4;
  const bAdvance = <usize>bStep << 4;
  let pa = a, pb = b, po = output;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const va = aStep ? v128.load(pa) : v128.load32_splat(pa);
    const vb = bStep ? v128.load(pb) : v128.load32_splat(pb);
    v128.store(po, f32x4.min(f32x4.max(binary4(op, va, vb), lowV), highV));
    pa += aAdvance;
    pb += bAdvance;
    po += 16;
  }
  for (; i < n; i++) {
    const value = binary1(op, load<f32>(a + (<usize>(i * aStep) << 2)), load<f32>(b + (<usize>(i * bStep) << 2)));
    store<f32>(output + (<usize>i << 2), min(max(value, low), high));
  }
}

/** Unary op codes, shared with `src/runtime/kernels.ts`. */
// @ts-ignore: decorator
@inline const CLAMP = 0;
// @ts-ignore: decorator
@inline const LOGISTIC = 1;
// @ts-ignore: decorator
@inline const TANH = 2;
// @ts-ignore: decorator
@inline const EXP = 3;
// @ts-ignore: decorator
@inline const SQRT = 4;
// @ts-ignore: decorator
@inline const RSQRT = 5;
// @ts-ignore: decorator
@inline const HARD_SWISH = 6;
// @ts-ignore: decorator
@inline const LEAKY_RELU = 7;
// @ts-ignore: decorator
@inline const NEG = 8;
// @ts-ignore: decorator
@inline const ABS = 9;
// @ts-ignore: decorator
@inline const SQUARE = 10;
// @ts-ignore: decorator
@inline const LOG = 11;

// @ts-ignore: decorator
@inline
function unary4(op: i32, x: v128, alpha: v128): v128 {
  switch (op) {
    case SQRT: return f32x4.sqrt(x);
    case HARD_SWISH: {
      // x * relu6(x + 3) / 6
      const gate = f32x4.min(f32x4.max(f32x4.add(x, f32x4.splat(3)), f32x4.splat(0)), f32x4.splat(6));
      return f32x4.div(f32x4.mul(x, gate), f32x4.splat(6));
    }
    case LEAKY_RELU: {
      const negative = f32x4.lt(x, f32x4.splat(0));
      return v128.bitselect(f32x4.mul(x, alpha), x, negative);
    }
    case NEG: return f32x4.neg(x);
    case ABS: return f32x4.abs(x);
    case SQUARE: return f32x4.mul(x, x);
    default: return x;
  }
}

function unary1(op: i32, x: f32, alpha: f32): f32 {
  switch (op) {
    case LOGISTIC: return <f32>1 / (<f32>1 + Mathf.exp(-x));
    case TANH: return Mathf.tanh(x);
    case EXP: return Mathf.exp(x);
    case SQRT: return Mathf.sqrt(x);
    case RSQRT: return <f32>1 / Mathf.sqrt(x);
    case HARD_SWISH: return x * min(max(x + 3, <f32>0), <f32>6) / 6;
    case LEAKY_RELU: return x < 0 ? x * alpha : x;
    case NEG: return -x;
    case ABS: return Mathf.abs(x);
    case SQUARE: return x * x;
    case LOG: return Mathf.log(x);
    default: return x;
  }
}

/** out[i] = clamp(op(in[i])) for i < n; `alpha` is LEAKY_RELU's slope. */
export function f32_unary(op: i32, input: usize, output: usize, n: i32, alpha: f32, low: f32, high: f32): void {
  const lowV = f32x4.splat(low);
  const highV = f32x4.splat(high);
  let i = 0;
  const vectorised = op == CLAMP || op == SQRT || op == HARD_SWISH || op == LEAKY_RELU ||
    op == NEG || op == ABS || op == SQUARE;
  if (vectorised) {
    const alphaV = f32x4.splat(alpha);
    for (; i + 4 <= n; i += 4) {
      const offset = <usize>i << 2;
      v128.store(output + offset, f32x4.min(f32x4.max(unary4(op, v128.load(input + offset), alphaV), lowV), highV));
    }
  }
  for (; i < n; i++) {
    const offset = <usize>i << 2;
    store<f32>(output + offset, min(max(unary1(op, load<f32>(input + offset), alpha), low), high));
  }
}

/** Softmax over each of `rows` rows of `columns` values: exp(beta * (x - max)) / sum. */
export function f32_softmax(input: usize, output: usize, rows: i32, columns: i32, beta: f32): void {
  for (let row = 0; row < rows; row++) {
    const source = input + (<usize>(row * columns) << 2);
    const target = output + (<usize>(row * columns) << 2);
    let largest: f32 = -Infinity;
    for (let i = 0; i < columns; i++) largest = max(largest, load<f32>(source + (<usize>i << 2)));
    let sum: f32 = 0;
    for (let i = 0; i < columns; i++) {
      const value = Mathf.exp((load<f32>(source + (<usize>i << 2)) - largest) * beta);
      store<f32>(target + (<usize>i << 2), value);
      sum += value;
    }
    const reciprocal = <f32>1 / sum;
    for (let i = 0; i < columns; i++) {
      store<f32>(target + (<usize>i << 2), load<f32>(target + (<usize>i << 2)) * reciprocal);
    }
  }
}
