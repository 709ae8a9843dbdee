/**
 * liteq's int8 conversions of the float LSTM models in `tests/fixtures/quantizer_lstm` (made by
 * `tools/make_quantizer_lstm_fixture.py`), calibrated on the samples TensorFlow's conversion used,
 * with int8 input and output as TensorFlow's. `tools/run_quantizer_lstm_reference.py` runs the
 * files written here in TensorFlow; `tests/quantize/lstm_quantize_test.ts` converts again.
 *
 * usage: deno run --allow-read --allow-write --allow-env tools/quantizer_lstm_conversions.ts DIR
 * (writes DIR/NAME.liteq_int8.tflite for every case).
 */
import { readFileSync, writeFileSync } from "node:fs";
import process from "node:process";
import type { Model } from "../src/format/ir.ts";
import { readModel } from "../src/format/reader.ts";
import { writeModel } from "../src/format/writer.ts";
import { parseNpy } from "../src/io/npy.ts";
import type { QuantizeOptions } from "../src/quantize/options.ts";
import { quantize } from "../src/quantize/quantize.ts";

/** The cases of the fixture, as `tools/make_quantizer_lstm_fixture.py` names them. */
export const LSTM_CASES = [
  "lstm",
  "lstm_peephole_layer_norm",
  "lstm_projection",
  "lstm_layer_norm_projection",
];

/** The samples of an .npy file, split along its first axis. */
function samplesOf(path: string): Float32Array[] {
  const array = parseNpy(new Uint8Array(readFileSync(path)));
  const size = array.shape.slice(1).reduce((a, b) => a * b, 1);
  const data = array.data as Float32Array;
  return Array.from({ length: array.shape[0] }, (_, i) => data.slice(i * size, (i + 1) * size));
}

/** The float model of case `name` of `directory`. */
export function floatLstmCase(directory: string, name: string): Model {
  return readModel(new Uint8Array(readFileSync(`${directory}/${name}.float.tflite`)));
}

/** liteq's int8 conversion of case `name` of `directory` (with `options` besides TensorFlow's). */
export function convertLstmCase(
  directory: string,
  name: string,
  options: Partial<QuantizeOptions> = {},
): Promise<Model> {
  return quantize(floatLstmCase(directory, name), {
    mode: "int8",
    inputType: "int8",
    outputType: "int8",
    representativeDataset: samplesOf(`${directory}/${name}.calibration.npy`),
    ...options,
  });
}

if (import.meta.main) {
  const [directory] = process.argv.slice(2);
  for (const name of LSTM_CASES) {
    const converted = writeModel(await convertLstmCase(directory, name));
    writeFileSync(`${directory}/${name}.liteq_int8.tflite`, converted);
  }
}
