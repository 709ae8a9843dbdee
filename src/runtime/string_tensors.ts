/**
 * What a prepared subgraph does with string tensors: reads a string constant's values from its
 * buffer, and refuses them in operators that do not move strings.
 */
import { bytesOf, elementCount, type TensorData } from "../format/dtype.ts";
import type { Operator, Tensor } from "../format/ir.ts";
import { decodeStringConstant } from "../format/string_buffer.ts";
import { UnsupportedModelError } from "./errors.ts";
import { STRING_OPS } from "./registry.ts";
import type { RuntimeTensor } from "./tensor.ts";

/**
 * A string constant's values, read from its buffer `data` (a `ModelFormatError` at `where` when
 * the buffer is not a string buffer of its elements); undefined for other tensors.
 */
export function fileStrings(
  tensor: Tensor,
  data: TensorData | null,
  where: string,
): Uint8Array[] | undefined {
  if (tensor.dtype !== "string" || data === null) return undefined;
  return decodeStringConstant(bytesOf(data), elementCount(tensor.shape), where);
}

/**
 * Throws an `UnsupportedModelError` at `where` naming the first string tensor among `tensors`
 * unless `operator` is one that moves strings (`STRING_OPS`).
 */
export function refuseStrings(
  operator: Operator,
  where: string,
  tensors: readonly (RuntimeTensor | null)[],
): void {
  if (!operator.custom && STRING_OPS.has(operator.op)) return;
  const text = tensors.find((tensor) => tensor?.dtype === "string");
  if (!text) return;
  throw new UnsupportedModelError(
    where,
    `tensor ${text.index} "${text.name}" holds strings; liteq runs string tensors through ${
      [...STRING_OPS].join(", ")
    } only`,
  );
}
