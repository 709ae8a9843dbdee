/**
 * The "quantize in your browser" page end to end in headless Chromium (puppeteer-core):
 * `deno task build:web` writes `dist/web/`, a static server on 127.0.0.1 serves it as it is, and
 * the test converts the bundled MNIST model to int8 on the bundled samples (checking the summary
 * table, the report's chart and the downloaded file), then again calibrated on a folder of images
 * drawn in the page (resized to the input by the worker) and on random samples, converts a
 * `.tflite` dropped on the page to float16, and runs the README's `greyPixels` in the page. Screenshots go to `out/browser/web_*.png`. Skips, saying
 * why, where Chromium is absent.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import puppeteer, { type Page } from "npm:puppeteer-core@24.43.1";
import { readModel } from "../../mod.ts";
import { ROOT } from "../helpers.ts";
import { readmeBlock } from "../readme/readme_blocks.ts";

const CHROMIUM = Deno.env.get("CHROMIUM") ?? "/usr/bin/chromium";
const SITE = `${ROOT}dist/web/`;
const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript",
  npy: "application/octet-stream",
  tflite: "application/octet-stream",
};

async function serveFile(request: Request): Promise<Response> {
  const name = new URL(request.url).pathname.slice(1) || "index.html";
  if (name.includes("/") || name.startsWith(".")) return new Response("not found", { status: 404 });
  try {
    const type = TYPES[name.slice(name.lastIndexOf(".") + 1)] ?? "application/octet-stream";
    return new Response(await Deno.readFile(`${SITE}${name}`), {
      headers: { "content-type": type },
    });
  } catch {
    return new Response("not found", { status: 404 });
  }
}

async function buildSite(): Promise<void> {
  const { success, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "build:web"],
    cwd: ROOT,
  }).output();
  const decoder = new TextDecoder();
  if (!success) throw new Error(`${decoder.decode(stdout)}${decoder.decode(stderr)}`);
}

/** Clicks Convert and waits for the conversion; throws with the page's message on failure. */
async function convert(page: Page): Promise<void> {
  await page.click("#convert");
  const outcome = await page.evaluate(() =>
    (globalThis as unknown as {
      liteqWeb: { converted: Promise<{ ok: boolean; message?: string }> };
    })
      .liteqWeb.converted
  );
  assert.ok(outcome.ok, outcome.message);
}

/** The summary table as { name: value }. */
function summary(page: Page): Promise<Record<string, string>> {
  return page.$$eval("#summary tr", (rows) =>
    Object.fromEntries(
      rows.map((row) => [...row.querySelectorAll("td")].map((cell) => cell.textContent ?? "")),
    ));
}

/** In the page: the file behind the download link, and the name it is saved under. */
const DOWNLOAD = `(async () => {
  const link = document.getElementById("download");
  const bytes = new Uint8Array(await (await fetch(link.href)).arrayBuffer());
  return { name: link.download, values: Array.from(bytes) };
})()`;

/** In the page: the bars of the report's SQNR chart. */
const CHART_BARS = `document.getElementById("report").contentDocument
  .querySelectorAll("#sqnr-chart rect.bar").length`;

/** In the page: ten digits drawn at 56x56 as PNG files, picked as the calibration folder. */
const PICK_IMAGE_FOLDER = `(async () => {
  const canvas = new OffscreenCanvas(56, 56);
  const context = canvas.getContext("2d");
  const transfer = new DataTransfer();
  for (let digit = 0; digit < 10; digit++) {
    context.fillStyle = "black";
    context.fillRect(0, 0, 56, 56);
    context.fillStyle = "white";
    context.font = "44px sans-serif";
    context.fillText(String(digit), 16, 46);
    const blob = await canvas.convertToBlob({ type: "image/png" });
    transfer.items.add(new File([blob], digit + ".png", { type: "image/png" }));
  }
  const input = document.getElementById("calibration-images");
  input.files = transfer.files;
  input.dispatchEvent(new Event("change"));
})()`;

/** The downloaded file, and the name it is saved under. */
async function download(page: Page): Promise<{ name: string; bytes: Uint8Array }> {
  const { name, values } = await page.evaluate(DOWNLOAD) as { name: string; values: number[] };
  return { name, bytes: Uint8Array.from(values) };
}

Deno.test("the page quantizes the bundled MNIST model in Chromium", async (t) => {
  if (!existsSync(CHROMIUM)) {
    console.log(`skipped: the page's test needs Chromium, and ${CHROMIUM} is absent`);
    return;
  }
  await buildSite();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, serveFile);
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox"],
  });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1100, height: 900 });
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(String(error)));
    await page.goto(`http://127.0.0.1:${server.addr.port}/`);
    await page.waitForSelector("#convert:not([disabled])");
    await Deno.mkdir(`${ROOT}out/browser`, { recursive: true });

    await t.step("int8 on the bundled samples: table, chart and download", async () => {
      await convert(page);
      const table = await summary(page);
      assert.equal(table["float model"], "85,376 bytes");
      assert.equal(table["calibration samples"], "100");
      assert.equal(table["ops kept float"], "0");
      assert.match(table["top-1, float"], /^\d+\.\d\d%$/);
      const [float, quantized] = [table["top-1, float"], table["top-1, quantized"]].map(parseFloat);
      assert.ok(float > 85 && Math.abs(float - quantized) <= 2, `top-1 ${float} -> ${quantized}`);
      const { name, bytes } = await download(page);
      assert.equal(name, "seed_mnist.float.int8.tflite");
      assert.equal(table[name], `${bytes.length.toLocaleString("en")} bytes`);
      assert.equal(new TextDecoder().decode(bytes.subarray(4, 8)), "TFL3");
      const model = readModel(bytes);
      const dtypes = new Set(model.subgraphs[0].tensors.map((tensor) => tensor.dtype));
      assert.ok(dtypes.has("int8") && bytes.length < 85376 * 0.35, `${bytes.length} bytes`);
      const bars = await page.evaluate(CHART_BARS);
      assert.equal(bars, Number(table["layers compared"]));
      await page.screenshot({ path: `${ROOT}out/browser/web_int8.png`, fullPage: true });
    });

    await t.step("calibrated on a folder of images, resized to the input", async () => {
      await page.evaluate(PICK_IMAGE_FOLDER);
      await convert(page);
      assert.equal((await summary(page))["calibration samples"], "10");
    });

    await t.step("random samples, dynamic range", async () => {
      await page.click("#calibration-random");
      await page.select('select[name="mode"]', "dynamicRange");
      assert.equal(await page.$eval("#field-inputType", (label) => label.hidden), true);
      await convert(page);
      const { name } = await download(page);
      assert.equal(name, "seed_mnist.float.dynamicRange.tflite");
      await page.screenshot({ path: `${ROOT}out/browser/web_dynamic.png`, fullPage: true });
    });
    await t.step("a dropped .tflite, float16", async () => {
      await page.evaluate(`(async () => {
        const bytes = await (await fetch("seed_mnist.float.tflite")).arrayBuffer();
        const dropped = new DataTransfer();
        dropped.items.add(new File([bytes], "dropped.tflite"));
        document.dispatchEvent(new DragEvent("drop", { dataTransfer: dropped, cancelable: true }));
      })()`);
      assert.equal(await page.$eval("#model-upload", (radio) => radio.checked), true);
      await page.select('select[name="mode"]', "float16");
      await convert(page);
      const { name, bytes } = await download(page);
      assert.equal(name, "dropped.float16.tflite");
      assert.equal(bytes.length, 44804);
      assert.equal((await summary(page))["top-1, float"], undefined);
    });

    await t.step("the README's greyPixels: an image as the input's values", async () => {
      const code = readmeBlock("### Inputs from images or `.npy`", "js", "greyPixels");
      const pixels = await page.evaluate(`(() => {
        ${code}
        const image = new OffscreenCanvas(56, 56);
        const context = image.getContext("2d");
        context.fillStyle = "white";
        context.fillRect(0, 0, 28, 56); // the left half white, the right half transparent black
        return Array.from(greyPixels(image));
      })()`) as number[];
      assert.equal(pixels.length, 784);
      assert.deepEqual([pixels[0], pixels[27], pixels[28 * 27]], [1, 0, 1]);
      assert.equal(pixels.reduce((sum, value) => sum + value, 0), 392);
    });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await server.shutdown();
  }
});
