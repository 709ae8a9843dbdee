/**
 * liteq: post-training quantization and inference for TensorFlow Lite models.
 *
 * ```ts
 * import { Interpreter, readModel, writeModel } from "./mod.ts";
 * const model = readModel(await Deno.readFile("model.tflite"));
 * console.log(model.subgraphs[0].operators.map((operator) => operator.op));
 * await Deno.writeFile("copy.tflite", writeModel(model));
 *
 * const interpreter = await Interpreter.load("model.tflite");
 * const [scores] = interpreter.run([new Float32Array(28 * 28)]);
 * ```
 * @module
 */
export { DEFAULT_MAX_ELEMENTS, readModel, type ReadOptions } from "./src/format/reader.ts";
export { writeModel } from "./src/format/writer.ts";
export { ModelFormatError } from "./src/format/errors.ts";
export { type DType, type TensorData, typedView } from "./src/format/dtype.ts";
export type {
  Metadata,
  Model,
  Operator,
  Quantization,
  Signature,
  SignatureTensor,
  Subgraph,
  Tensor,
} from "./src/format/ir.ts";
export type { PlainObject, PlainValue } from "./src/format/plain.ts";
export {
  type InputValues,
  Interpreter,
  type InterpreterOptions,
  type ModelSource,
  SignatureRunner,
  type TensorDetails,
} from "./src/runtime/interpreter.ts";
export { UnsupportedModelError } from "./src/runtime/op.ts";
export { quantizeValues, runSamples, SampleError, sampleShape } from "./src/runtime/samples.ts";
export { encodeNpy, type NpyArray, NpyFormatError, parseNpy } from "./src/io/npy.ts";
export { quantize, quantizeWithReport } from "./src/quantize/quantize.ts";
export { QuantizeError } from "./src/quantize/errors.ts";
export type {
  QuantizeMode,
  QuantizeOptions,
  QuantizeReport,
  ReportEntry,
  Sample,
} from "./src/quantize/options.ts";
