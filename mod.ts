/**
 * liteq: post-training quantization and inference for TensorFlow Lite models.
 *
 * Read a `.tflite` file into plain objects and write it back (`readModel`, `writeModel`),
 * quantize it as TensorFlow's converter does (`quantize`, `quantizeWithReport`), and run any
 * model with TensorFlow Lite's answers (`Interpreter`).
 *
 * ```ts
 * import { Interpreter, quantizeWithReport, readModel, writeModel } from "./mod.ts";
 * const model = readModel(await Deno.readFile("model.tflite"));
 * console.log(model.subgraphs[0].operators.map((operator) => operator.op));
 *
 * const { model: quantized, report } = await quantizeWithReport(model, { mode: "dynamicRange" });
 * console.log(`${report.quantized.length} ops quantized, ${report.float.length} left float`);
 * await Deno.writeFile("model_dynamic.tflite", writeModel(quantized));
 *
 * const interpreter = await Interpreter.load("model_dynamic.tflite");
 * const [scores] = interpreter.run([new Float32Array(28 * 28)]);
 * ```
 * @module
 */
// The model format: reading, writing and the IR.
export { DEFAULT_MAX_ELEMENTS, readModel, type ReadOptions } from "./src/format/reader.ts";
export type { VerifyLimits } from "./src/format/verify.ts";
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

// The interpreter.
export {
  type InputValues,
  Interpreter,
  type InterpreterOptions,
  type InterpreterThreads,
  type ModelSource,
  type OutputValues,
  SignatureRunner,
  type TensorDetails,
} from "./src/runtime/interpreter.ts";
export type { OutputArrays } from "./src/runtime/output_arrays.ts";
export type { KernelSource, KernelSources, KernelVariant } from "./src/runtime/wasm.ts";
export type {
  CustomOp,
  CustomOpContext,
  CustomOpInvoke,
  CustomOpTensor,
} from "./src/runtime/custom_op.ts";
export type { FlexValue } from "./src/format/flexbuffers.ts";
export { InvokeError, UnsupportedModelError } from "./src/runtime/errors.ts";

// Arrays: `.npy` files, samples stacked on a leading axis, and errors reading files.
export {
  quantizeValues,
  runSamples,
  runSamplesInParallel,
  SampleError,
  sampleShape,
} from "./src/runtime/samples.ts";
export { encodeNpy, type NpyArray, NpyFormatError, parseNpy } from "./src/io/npy.ts";
export { FileError } from "./src/io/file_error.ts";

// Quantization.
export { quantize, quantizeWithReport } from "./src/quantize/quantize.ts";
export { QuantizeError, type QuantizeErrorOptions } from "./src/quantize/errors.ts";
export type {
  QuantizeMode,
  QuantizeOptions,
  QuantizeReport,
  ReportEntry,
  Sample,
} from "./src/quantize/options.ts";

// Debugging a quantized model: layer-by-layer error against the float model.
export {
  compareModels,
  type CompareOptions,
  type LayerComparison,
  type LayerHistogram,
  type ModelComparison,
  ModelMismatchError,
  type OutputComparison,
} from "./src/quantize/debug/compare.ts";
export { type ErrorSummary, MAX_SQNR_DB } from "./src/quantize/debug/error_stats.ts";
export type { ClipRange, Histogram } from "./src/quantize/debug/histogram.ts";
