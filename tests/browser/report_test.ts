/**
 * The HTML report in a real headless browser (Debian's Chromium driven by puppeteer-core): it
 * loads from a file:// URL without a single network request, its SQNR chart has one bar per
 * layer with the layers kept float marked, each histogram carries its clip ranges, and a
 * screenshot lands in out/; the same for `convert --html`'s report, with the layer the automatic
 * fallback kept float and every calibration method's range. Skipped, with the reason printed,
 * where Chromium or puppeteer-core is absent.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { readModel, writeModel } from "../../mod.ts";
import { compareModels } from "../../src/quantize/debug/compare.ts";
import { comparisonReportHtml } from "../../src/quantize/debug/report_html.ts";
import { quantize } from "../../src/quantize/quantize.ts";
import { FIXTURES, readBytesSync, ROOT } from "../helpers.ts";
import { liteq } from "../cli/cli_harness.ts";
import { mnistSamples, writeMnistSamples } from "../quantize/debug/mnist_samples.ts";

const CHROMIUM = "/usr/bin/chromium";

/** The part of puppeteer-core's API (and of the DOM, inside the page) this test uses. */
interface PageElement {
  getAttribute(name: string): string | null;
  querySelectorAll(selector: string): ArrayLike<PageElement> & Iterable<PageElement>;
}
interface Page {
  setViewport(viewport: { width: number; height: number }): Promise<void>;
  setRequestInterception(on: boolean): Promise<void>;
  on(event: "request", handler: (request: Request) => void): void;
  goto(url: string, options: { waitUntil: string }): Promise<unknown>;
  $$eval<T>(selector: string, run: (elements: PageElement[]) => T): Promise<T>;
  screenshot(options: { path: string; fullPage: boolean }): Promise<unknown>;
}
interface Request {
  url(): string;
  abort(): Promise<void>;
  continue(): Promise<void>;
}
interface Browser {
  newPage(): Promise<Page>;
  close(): Promise<void>;
}
interface Puppeteer {
  launch(options: Record<string, unknown>): Promise<Browser>;
}

/** puppeteer-core when installed (`npm ci`), else null. */
async function puppeteer(): Promise<Puppeteer | null> {
  const name = "puppeteer-core"; // a variable: type-checking must not need the package
  try {
    return (await import(name)).default as Puppeteer;
  } catch {
    return null;
  }
}

/** A report with integer and kept-float layers: mobile_mnist in int8 with two ops kept float. */
async function writeReport(
  path: string,
): Promise<{ layers: number; kept: number; histograms: number }> {
  const { data, labels } = await mnistSamples(100);
  const floatPath = `${FIXTURES}/models/mobile_mnist.float.tflite`;
  const float = readModel(readBytesSync(floatPath));
  const calibration = Array.from(
    { length: 50 },
    (_, sample) => (data.data as Float32Array).slice(sample * 784, (sample + 1) * 784),
  );
  const quantized = await quantize(float, {
    mode: "int8",
    representativeDataset: calibration,
    denylist: ["LOGISTIC", "MUL"],
  });
  const comparison = await compareModels(float, quantized, [data], { labels });
  const variants = [
    {
      name: "mobile_mnist.float.tflite",
      bytes: readBytesSync(floatPath).length,
      top1: comparison.top1!.float,
    },
    {
      name: "mobile_mnist.int8.tflite",
      bytes: writeModel(quantized).length,
      top1: comparison.top1!.quantized,
    },
  ];
  writeFileSync(path, comparisonReportHtml(comparison, variants, "mobile_mnist int8"));
  return {
    layers: comparison.layers.length,
    kept: comparison.layers.filter((layer) => layer.storage === "float").length,
    histograms: comparison.histograms.length,
  };
}

/** Chromium and puppeteer-core, or null (with the reason printed) when either is absent. */
async function chromium(): Promise<Puppeteer | null> {
  if (!existsSync(CHROMIUM)) {
    console.log(`skipped: the browser test needs ${CHROMIUM}, which is absent`);
    return null;
  }
  const driver = await puppeteer();
  if (!driver) console.log("skipped: the browser test needs puppeteer-core (npm ci installs it)");
  return driver;
}

/** The report's bars (class and height) and histograms (bins and clip lines). */
interface Drawn {
  bars: { kind: string | null; height: number }[];
  histograms: { bins: number; clips: string[] }[];
}

/**
 * Opens `report` in headless Chromium with every request but the file itself refused, checks
 * that nothing else was requested, reads what it drew and writes the screenshot `screenshot`.
 */
async function openReport(driver: Puppeteer, report: string, screenshot: string): Promise<Drawn> {
  const browser = await driver.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox"],
  });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 800 });
    const requested: string[] = [];
    await page.setRequestInterception(true);
    page.on("request", (request) => {
      requested.push(request.url());
      if (request.url().startsWith("file:")) request.continue();
      else request.abort();
    });
    const url = pathToFileURL(report).href;
    await page.goto(url, { waitUntil: "load" });
    assert.deepEqual(requested, [url], "nothing but the report itself is requested");
    const bars = await page.$$eval(
      "#sqnr-chart rect.bar",
      (elements) =>
        elements.map((element) => ({
          kind: element.getAttribute("class"),
          height: Number(element.getAttribute("height")),
        })),
    );
    const histograms = await page.$$eval("svg.histogram", (elements) =>
      elements.map((element) => ({
        bins: element.querySelectorAll("rect.bin").length,
        clips: [...element.querySelectorAll("line.clip")].map((line) =>
          line.getAttribute("class")!
        ),
      })));
    await page.screenshot({ path: screenshot, fullPage: true });
    const png = readFileSync(screenshot);
    assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47], "a PNG file");
    assert.ok(png.length > 20_000, `screenshot of ${png.length} bytes`);
    console.log(`screenshot: ${screenshot}`);
    return { bars, histograms };
  } finally {
    await browser.close();
  }
}

Deno.test("the HTML report loads offline in Chromium, one bar per layer, and is screenshot", async () => {
  const driver = await chromium();
  if (!driver) return;
  const folder = `${ROOT}out/browser`;
  mkdirSync(folder, { recursive: true });
  const report = `${folder}/report.html`;
  const expected = await writeReport(report);
  assert.equal(expected.kept, 2);
  const { bars, histograms } = await openReport(driver, report, `${folder}/report.png`);
  assert.equal(bars.length, expected.layers);
  assert.equal(bars.filter((bar) => bar.kind === "bar float").length, expected.kept);
  assert.ok(bars.every((bar) => bar.height > 0));
  assert.equal(histograms.length, expected.histograms);
  for (const histogram of histograms) {
    assert.equal(histogram.bins, 64);
    assert.ok(histogram.clips.length >= 4, "minmax and percentile, low and high");
  }
});

Deno.test("convert --html: the fallback's layer and every method's range, offline, screenshot", async () => {
  const driver = await chromium();
  if (!driver) return;
  const folder = `${ROOT}out/browser`;
  mkdirSync(folder, { recursive: true });
  const [data, labels] = await writeMnistSamples(folder, 200);
  const report = `${folder}/convert_report.html`;
  const result = await liteq(
    "convert",
    `${FIXTURES}/models/seed_mnist.float.tflite`,
    `${folder}/seed_mnist.int8.tflite`,
    "--mode",
    "int8",
    "--calibration",
    `${FIXTURES}/data/mnist_calib_x.npy`,
    "--calibration-method",
    "auto",
    "--min-sqnr",
    "45",
    "--eval-data",
    data,
    "--eval-labels",
    labels,
    "--html",
    report,
  );
  assert.equal(result.code, 0, result.stderr);
  const { bars, histograms } = await openReport(driver, report, `${folder}/convert_report.png`);
  assert.equal(bars.filter((bar) => bar.kind === "bar fallback").length, 1);
  assert.ok(histograms.length > 0);
  for (const histogram of histograms) {
    const methods = new Set(histogram.clips.map((name) => name.replace("clip ", "")));
    for (const method of ["minmax", "percentile", "mse", "entropy", "used"]) {
      assert.ok(methods.has(method), `${method} drawn`);
    }
  }
});
