/**
 * RESIZE_BILINEAR to the constant size [height, width] (input 1), NHWC, as TFLite's reference
 * kernels compute it: float32 with float32 source coordinates, and legacy uint8 the same way plus
 * 0.5, truncated; int8 and int16 in integers with coordinates in 1/1024ths
 * (ResizeBilinearInteger). Both follow the align-corners and half-pixel-centres options.
 */
import { elementCount } from "../../../format/dtype.ts";
import type { OpContext, PreparedOp } from "../../op.ts";
import { resizePlan } from "./resize_common.ts";
import { requireSharedParameters } from "../../quantization/parameters.ts";

const f = Math.fround;

/** A source coordinate (in 1/`unit`ths of a pixel) and its two neighbours on one axis. */
interface Sample {
  position: number;
  lower: number;
  upper: number;
}

/** Each output index's source position and the pixels either side of it, kept in the image. */
function samples(
  outSize: number,
  inSize: number,
  unit: number,
  positionOf: (index: number) => number,
): Sample[] {
  return Array.from({ length: outSize }, (_, index) => {
    const position = positionOf(index);
    return {
      position,
      lower: Math.max(Math.floor(position / unit), 0),
      upper: Math.min(Math.ceil(position / unit), inSize - 1),
    };
  });
}

/** TFLite's float32 coordinates for `outSize` outputs over `inSize` inputs. */
function floatSamples(inSize: number, outSize: number, align: boolean, halfPixel: boolean) {
  const scale = align && outSize > 1 ? f((inSize - 1) / f(outSize - 1)) : f(inSize / f(outSize));
  return samples(
    outSize,
    inSize,
    1,
    (index) => halfPixel ? f(f(f(index + 0.5) * scale) - 0.5) : f(index * scale),
  );
}

/** TFLite's integer coordinates, in 1/1024ths (ComputeInterpolationValuesInteger). */
function integerSamples(inSize: number, outSize: number, align: boolean, halfPixel: boolean) {
  const scale = align && outSize > 1
    ? Math.trunc((1024 * (inSize - 1) + Math.trunc((outSize - 1) / 2)) / (outSize - 1))
    : Math.trunc((1024 * inSize + Math.trunc(outSize / 2)) / outSize);
  return samples(
    outSize,
    inSize,
    1024,
    (index) => halfPixel ? index * scale + Math.trunc(scale / 2) - 512 : index * scale,
  );
}

/** RESIZE_BILINEAR on float32, int8, uint8 and int16 (see the module comment). */
export function resizeBilinear(context: OpContext): PreparedOp {
  const input = context.input(0, "float32", "int8", "uint8", "int16");
  const output = context.output(0, input.dtype);
  const p = resizePlan(context, input, output);
  requireSharedParameters(context, [input], output);
  const integer = input.dtype === "int8" || input.dtype === "int16";
  const roundingOffset = input.dtype === "uint8" ? 0.5 : 0;
  const samplesOf = integer ? integerSamples : floatSamples;
  const rows = samplesOf(p.inH, p.outH, p.alignCorners, p.halfPixelCenters);
  const columns = samplesOf(p.inW, p.outW, p.alignCorners, p.halfPixelCenters);
  const memory = context.memory;
  const inputCount = elementCount(input.shape);
  const outputCount = elementCount(output.shape);
  return {
    run() {
      const source = memory.view(input.dtype, input.offset, inputCount) as Float32Array;
      const target = memory.view(output.dtype, output.offset, outputCount) as Float32Array;
      let index = 0;
      for (let b = 0; b < p.batches; b++) {
        for (const row of rows) {
          const top = (b * p.inH + row.lower) * p.inW;
          const bottom = (b * p.inH + row.upper) * p.inW;
          for (const column of columns) {
            const at00 = (top + column.lower) * p.depth;
            const at01 = (top + column.upper) * p.depth;
            const at10 = (bottom + column.lower) * p.depth;
            const at11 = (bottom + column.upper) * p.depth;
            if (integer) {
              // Weights in 1/1024ths; the sum in 1/2^20ths, rounded half away from zero.
              const dy = row.position - 1024 * row.lower;
              const dx = column.position - 1024 * column.lower;
              for (let c = 0; c < p.depth; c++) {
                const sum = source[at00 + c] * (1024 - dy) * (1024 - dx) +
                  source[at10 + c] * dy * (1024 - dx) +
                  source[at01 + c] * (1024 - dy) * dx +
                  source[at11 + c] * dy * dx;
                const rounded = sum + (sum > 0 ? 2 ** 19 : -(2 ** 19));
                target[index++] = Math.trunc(rounded / 2 ** 20);
              }
            } else {
              const dy = f(row.position - row.lower);
              const dx = f(column.position - column.lower);
              const wy = f(1 - dy);
              const wx = f(1 - dx);
              for (let c = 0; c < p.depth; c++) {
                const value = f(
                  f(
                    f(f(f(source[at00 + c] * wy) * wx) + f(f(source[at10 + c] * dy) * wx)) +
                      f(f(source[at01 + c] * wy) * dx),
                  ) + f(f(source[at11 + c] * dy) * dx),
                );
                target[index++] = roundingOffset ? Math.trunc(f(value + roundingOffset)) : value;
              }
            }
          }
        }
      }
    },
  };
}
