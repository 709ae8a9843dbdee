/**
 * Developer check, first half: liteq's int8 and 16x8 conversions (float inputs and outputs) of
 * every single-op float fixture, calibrated as tests/quantize/ops_conversion_test.ts does, with
 * liteq's outputs on the fixture inputs.
 *
 * usage: deno run -A tools/convert_op_fixtures.ts OUT_DIR
 * writes OUT_DIR/{int8,int16x8}/NAME.tflite and NAME.liteqK.npy; then
 * python tools/tf_converted_ops_check.py OUT_DIR runs them in TensorFlow's interpreter.
 */
import {
  encodeNpy,
  Interpreter,
  parseNpy,
  quantize,
  readModel,
  type TensorData,
  writeModel,
} from "../mod.ts";
import { calibrationSamples } from "../tests/quantize/op_calibration.ts";

const [outDir] = Deno.args;
if (!outDir) throw new Error("usage: deno run -A tools/convert_op_fixtures.ts OUT_DIR");
const fixtures = new URL("../tests/fixtures/ops/", import.meta.url).pathname;
const names = [...Deno.readDirSync(fixtures)].map((entry) => entry.name)
  .filter((name) => name.endsWith(".tflite")).map((name) => name.slice(0, -".tflite".length))
  .sort();
for (const mode of ["int8", "int16x8"] as const) {
  Deno.mkdirSync(`${outDir}/${mode}`, { recursive: true });
  for (const name of names) {
    const float = readModel(Deno.readFileSync(`${fixtures}/${name}.tflite`));
    const inputs = float.subgraphs[0].inputs.map((_, position) =>
      parseNpy(Deno.readFileSync(`${fixtures}/${name}.input${position}.npy`)).data
    );
    if (inputs.some((input) => !(input instanceof Float32Array))) continue;
    const model = await quantize(float, {
      mode,
      representativeDataset: calibrationSamples(inputs as Float32Array[], name),
    });
    const bytes = writeModel(model);
    Deno.writeFileSync(`${outDir}/${mode}/${name}.tflite`, bytes);
    const interpreter = await Interpreter.load(bytes);
    interpreter.run(inputs).forEach((output, position) => {
      const { dtype, shape } = interpreter.outputDetails()[position];
      Deno.writeFileSync(
        `${outDir}/${mode}/${name}.liteq${position}.npy`,
        encodeNpy({ dtype, shape, data: output as TensorData }),
      );
    });
  }
}
