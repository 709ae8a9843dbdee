/**
 * Checks a tensor's quantization parameters as TensorFlow Lite's interpreter builder does
 * (`ParseQuantization`: as many zero points as scales, `quantized_dimension` inside the shape, one
 * scale or one per channel), plus what its kernels assume: scales finite and positive, zero points
 * inside the integer type's range.
 */
import type { DType } from "./dtype.ts";
import { ModelFormatError } from "./errors.ts";
import type { Quantization } from "./ir.ts";

/** The values each integer dtype holds, for zero points (64-bit types are left unchecked). */
const INTEGER_RANGES: Partial<Record<DType, readonly [number, number]>> = {
  int2: [-2, 1],
  int4: [-8, 7],
  uint4: [0, 15],
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-(2 ** 31), 2 ** 31 - 1],
  uint32: [0, 2 ** 32 - 1],
};

const INTEGER_DTYPES = new Set<DType>([
  ...Object.keys(INTEGER_RANGES) as DType[],
  "int64",
  "uint64",
]);

/**
 * Throws a `ModelFormatError` at `where` when `quantization` cannot describe a tensor of `dtype`
 * and `shape`. Parameters without scales (a recorded min/max only) are not checked.
 */
export function checkQuantization(
  quantization: Quantization | null,
  dtype: DType,
  shape: readonly number[],
  where: string,
): void {
  if (quantization === null || quantization.scale.length === 0) return;
  const { scale, zeroPoint, quantizedDimension } = quantization;
  const fail = (problem: string): never => {
    throw new ModelFormatError(where, `quantization: ${problem}`);
  };
  if (zeroPoint.length !== scale.length) {
    fail(`${zeroPoint.length} zero points for ${scale.length} scales; they must be as many`);
  }
  if (
    !Number.isInteger(quantizedDimension) || quantizedDimension < 0 ||
    (shape.length > 0 && quantizedDimension >= shape.length)
  ) {
    fail(`quantized_dimension must be in range [0, ${shape.length}). Was ${quantizedDimension}`);
  }
  if (scale.length !== 1 && shape.length > 0 && scale.length !== shape[quantizedDimension]) {
    fail(
      `${scale.length} scales; one per tensor or one for each of the ${
        shape[quantizedDimension]
      } entries of dimension ${quantizedDimension}`,
    );
  }
  // TensorFlow's own string fixtures carry a scale of 0; only integer tensors need a real one.
  const integer = INTEGER_DTYPES.has(dtype);
  const badScale = scale.findIndex((value) =>
    !Number.isFinite(value) || value < 0 || (integer && value === 0)
  );
  if (badScale >= 0) {
    fail(`scale ${badScale} is ${scale[badScale]}; scales must be finite and positive`);
  }
  const range = INTEGER_RANGES[dtype];
  const badZeroPoint = range
    ? zeroPoint.findIndex((value) => value < range[0] || value > range[1])
    : -1;
  if (range && badZeroPoint >= 0) {
    fail(
      `zero point ${badZeroPoint} is ${zeroPoint[badZeroPoint]}, outside ${dtype}'s range [${
        range[0]
      }, ${range[1]}]`,
    );
  }
}
