/**
 * The real pretrained models in `../shared/realworld` (MediaPipe and openWakeWord files as their
 * users get them) run in liteq within 1e-4 * max(1, |reference|) of TensorFlow 2.21's reference
 * kernels, on the four stored inputs of each, with the interpreter's default options: `auto`
 * takes the plain SIMD build for models with float layers, which sums in TFLite's reference order
 * (the relaxed build's fused multiply-adds move each product by an ulp, and deep networks amplify
 * that: pose_landmark_lite's segmentation logits by up to 0.16). Skipped, with the reason
 * printed, when `../shared` is absent.
 */
import { existsSync, readFileSync } from "node:fs";
import { Interpreter } from "../../src/runtime/interpreter.ts";
import { parseNpy } from "../../src/io/npy.ts";
import { readBytesSync, SHARED } from "../helpers.ts";
import { assertClose } from "./compare.ts";

const folder = SHARED ? `${SHARED}/realworld` : null;

/** Models checked elsewhere, by model. */
const ELSEWHERE: Record<string, string> = {
  selfie_segmentation:
    "has no TensorFlow reference: mediapipe_ops_test.ts checks it against its oracle",
};

/** Input shapes where the file's signature leaves dimensions open. */
const INPUT_SHAPES: Record<string, number[][]> = { melspectrogram: [[1, 1760]] };

interface Entry {
  file: string;
  inputs_file?: string;
  ref_outputs_files?: string[];
}

const models: Record<string, Entry> = folder && existsSync(`${folder}/manifest.json`)
  ? JSON.parse(readFileSync(`${folder}/manifest.json`, "utf8")).models
  : {};
if (Object.keys(models).length === 0) {
  console.log("skipped: the real-world model tests need ../shared/realworld, which is absent");
}

for (const [name, entry] of Object.entries(models)) {
  Deno.test(`real-world model ${name} matches TensorFlow`, async () => {
    if (ELSEWHERE[name] || !entry.inputs_file || !entry.ref_outputs_files) {
      console.log(`skipped: ${name} ${ELSEWHERE[name] ?? "has no reference outputs"}`);
      return;
    }
    const interpreter = await Interpreter.load(`${folder}/${entry.file}`, {
      inputShapes: INPUT_SHAPES[name],
    });
    const inputs = parseNpy(readBytesSync(`${folder}/${entry.inputs_file}`));
    const references = entry.ref_outputs_files.map((file) =>
      parseNpy(readBytesSync(`${folder}/${file}`))
    );
    const samples = inputs.shape[0];
    const perSample = inputs.data.length / samples;
    for (let sample = 0; sample < samples; sample++) {
      const outputs = interpreter.run([
        inputs.data.slice(sample * perSample, (sample + 1) * perSample),
      ]);
      outputs.forEach((actual, position) => {
        const reference = references[position];
        const count = reference.data.length / samples;
        const expected = reference.data.slice(sample * count, (sample + 1) * count);
        assertClose(actual, expected, `${name} sample ${sample} output ${position}`);
      });
    }
  });
}
