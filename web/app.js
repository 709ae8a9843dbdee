/**
 * The "quantize in your browser" page's script: builds the settings form from `FIELDS`, gathers
 * the model and the samples the user picked, hands them to the worker (worker.js) and shows its
 * progress, the figures, the debugger's report and the download link. Nothing leaves the page.
 * `globalThis.liteqWeb` exposes the state for the page's test: `converted` resolves after each
 * conversion with `{ ok, message }`.
 */

/**
 * The conversion settings: each row becomes a select, and its value goes into `quantize`'s
 * options under `option`; `modes` limits a row to those modes. A new option (the calibration
 * method, an accuracy budget) is one more row here.
 */
export const FIELDS = [
  {
    option: "mode",
    label: "Mode",
    choices: [
      ["int8", "int8: integer weights and activations"],
      ["int16x8", "int16x8: int8 weights, int16 activations"],
      ["dynamicRange", "dynamic range: int8 weights, float activations"],
      ["float16", "float16 weights"],
    ],
  },
  {
    option: "inputType",
    label: "Input type",
    choices: [["float32", "float32"], ["int8", "int8"], ["uint8", "uint8"]],
    modes: ["int8"],
  },
  {
    option: "outputType",
    label: "Output type",
    choices: [["float32", "float32"], ["int8", "int8"], ["uint8", "uint8"]],
    modes: ["int8"],
  },
];

/** The bundled model and samples, written beside this page by `deno task build:web`. */
const BUNDLED = {
  model: "seed_mnist.float.tflite",
  calibration: "mnist_calibration.npy",
  data: "mnist_test.npy",
  labels: "mnist_test_labels.npy",
};

const $ = (id) => document.getElementById(id);

function buildSettings() {
  for (const field of FIELDS) {
    const label = document.createElement("label");
    label.id = `field-${field.option}`;
    label.textContent = `${field.label} `;
    const select = document.createElement("select");
    select.name = field.option;
    for (const [value, text] of field.choices) select.add(new Option(text, value));
    select.addEventListener("change", showFieldsForMode);
    label.append(select);
    $("settings").append(label);
  }
  showFieldsForMode();
}

function settings() {
  const mode = document.querySelector('select[name="mode"]').value;
  const chosen = {};
  for (const field of FIELDS) {
    if (field.modes && !field.modes.includes(mode)) continue;
    chosen[field.option] = document.querySelector(`select[name="${field.option}"]`).value;
  }
  return chosen;
}

function showFieldsForMode() {
  const mode = document.querySelector('select[name="mode"]').value;
  for (const field of FIELDS) {
    $(`field-${field.option}`).hidden = field.modes !== undefined && !field.modes.includes(mode);
  }
}

const checked = (name) => document.querySelector(`input[name="${name}"]:checked`).value;

async function fetchBytes(path) {
  const response = await fetch(path);
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

const fileBytes = async (file) => new Uint8Array(await file.arrayBuffer());

function needFile(input, what) {
  const file = input.files[0];
  if (!file) throw new Error(`pick ${what} first`);
  return file;
}

/** The request for the worker, from what the form holds. */
async function request() {
  const bundled = checked("model") === "bundled";
  const modelFile = bundled ? null : needFile($("model-file"), "a .tflite model");
  const calibrationKind = checked("calibration");
  let calibration;
  if (calibrationKind === "bundled") {
    calibration = { kind: "npy", bytes: await fetchBytes(BUNDLED.calibration) };
  } else if (calibrationKind === "npy") {
    calibration = { kind: "npy", bytes: await fileBytes(needFile($("calibration-npy"), "a .npy")) };
  } else if (calibrationKind === "images") {
    const files = [...$("calibration-images").files].filter((file) =>
      file.type.startsWith("image/")
    );
    if (files.length === 0) throw new Error("pick a folder holding images first");
    calibration = { kind: "images", files };
  } else {
    calibration = { kind: "random", count: Number($("random-count").value) };
  }
  let evaluation = null;
  if (bundled) {
    evaluation = {
      data: await fetchBytes(BUNDLED.data),
      labels: await fetchBytes(BUNDLED.labels),
    };
  } else if ($("evaluation-data").files[0] && $("evaluation-labels").files[0]) {
    evaluation = {
      data: await fileBytes($("evaluation-data").files[0]),
      labels: await fileBytes($("evaluation-labels").files[0]),
    };
  }
  return {
    model: bundled ? await fetchBytes(BUNDLED.model) : await fileBytes(modelFile),
    name: bundled ? BUNDLED.model : modelFile.name,
    settings: settings(),
    calibration,
    evaluation,
  };
}

const percent = (value) => `${(value * 100).toFixed(2)}%`;
const decibels = (value) => `${value.toFixed(1)} dB`;

function showResult(result) {
  const rows = [
    ["float model", `${result.floatBytes.toLocaleString("en")} bytes`],
    [result.fileName, `${result.bytes.byteLength.toLocaleString("en")} bytes`],
    ["size", percent(result.bytes.byteLength / result.floatBytes)],
    ["ops quantized", String(result.quantized)],
    ["ops kept float", String(result.keptFloat)],
    ["calibration samples", String(result.samples)],
    ["layers compared", String(result.layersCompared)],
    ["output SQNR", decibels(result.outputSqnr)],
  ];
  if (result.worstLayer) {
    const { operator, op, sqnr } = result.worstLayer;
    rows.push(["worst layer", `operator ${operator} ${op}: ${decibels(sqnr)}`]);
  }
  if (result.top1) {
    rows.push(["top-1, float", percent(result.top1.float)]);
    rows.push(["top-1, quantized", percent(result.top1.quantized)]);
  }
  const table = $("summary");
  table.replaceChildren();
  for (const [name, value] of rows) {
    const row = table.insertRow();
    row.insertCell().textContent = name;
    row.insertCell().textContent = value;
  }
  $("report").srcdoc = result.reportHtml;
  const link = $("download");
  URL.revokeObjectURL(link.href);
  link.href = URL.createObjectURL(new Blob([result.bytes], { type: "application/octet-stream" }));
  link.download = result.fileName;
  link.textContent = `Download ${result.fileName}`;
  $("results").hidden = false;
}

const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
let finish = () => {};

worker.onmessage = ({ data: message }) => {
  if (message.type === "progress") {
    $("progress").max = Math.max(1, message.total);
    $("progress").value = message.done;
    $("status").textContent = `${message.stage}: ${message.done} / ${message.total}`;
    return;
  }
  $("convert").disabled = false;
  if (message.type === "done") {
    $("status").textContent = "done";
    showResult(message.result);
    finish({ ok: true });
  } else {
    $("status").textContent = `failed: ${message.message}`;
    finish({ ok: false, message: message.message });
  }
};

async function convert() {
  $("convert").disabled = true;
  $("results").hidden = true;
  $("status").textContent = "reading the inputs";
  globalThis.liteqWeb.converted = new Promise((resolve) => finish = resolve);
  try {
    worker.postMessage(await request());
  } catch (error) {
    $("convert").disabled = false;
    $("status").textContent = `failed: ${error.message}`;
    finish({ ok: false, message: error.message });
  }
}

/** Offers the bundled samples only with the bundled model. */
function showChoicesForModel() {
  const bundled = checked("model") === "bundled";
  $("calibration-bundled").disabled = !bundled;
  if (!bundled && checked("calibration") === "bundled") $("calibration-random").checked = true;
  $("evaluation").hidden = bundled;
}

globalThis.liteqWeb = { converted: null, fields: FIELDS };
buildSettings();
for (const input of document.querySelectorAll('input[name="model"]')) {
  input.addEventListener("change", showChoicesForModel);
}
$("model-file").addEventListener("change", () => $("model-upload").checked = true);
$("calibration-npy").addEventListener("change", () => $("calibration-npy-choice").checked = true);
$("calibration-images").addEventListener(
  "change",
  () => $("calibration-images-choice").checked = true,
);
/** Files dropped anywhere on the page: a `.tflite` becomes the model, a `.npy` the samples. */
function drop(event) {
  event.preventDefault();
  for (const file of event.dataTransfer.files) {
    const [input, choice] = file.name.endsWith(".tflite")
      ? ["model-file", "model-upload"]
      : file.name.endsWith(".npy")
      ? ["calibration-npy", "calibration-npy-choice"]
      : [null, null];
    if (!input) continue;
    const picked = new DataTransfer();
    picked.items.add(file);
    $(input).files = picked.files;
    $(choice).checked = true;
  }
  showChoicesForModel();
}

document.addEventListener("dragover", (event) => event.preventDefault());
document.addEventListener("drop", drop);
$("convert").addEventListener("click", convert);
$("convert").disabled = false;
