/** Calibration data for the single-op fixtures, shared by their tests and the TensorFlow check. */

/** Ops whose fixture inputs must stay positive (their float inputs are). */
const POSITIVE_INPUTS = new Set(["div", "sqrt", "rsqrt", "log"]);

/**
 * 16 calibration samples for fixture `name`: its reference inputs and 15 deterministic
 * perturbations of them (relative ones for ops that need positive inputs).
 */
export function calibrationSamples(inputs: Float32Array[], name: string): Float32Array[][] {
  let seed = 7;
  const noise = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return (seed / 2147483648) * 0.2 - 0.1;
  };
  const positive = POSITIVE_INPUTS.has(name);
  return Array.from(
    { length: 16 },
    (_, sample) =>
      inputs.map((input) =>
        sample === 0 ? input : Float32Array.from(
          input,
          (value) => positive ? Math.max(1e-3, value * (1 + noise())) : value + noise(),
        )
      ),
  );
}
