/**
 * The browser bundle in a real browser: `deno task build:browser` builds `dist/liteq.browser.js`,
 * a static server on 127.0.0.1 serves it with index.html, seed_mnist_check.js and the fixtures it
 * reads (and nothing else: the bundle must carry its kernels), and headless Chromium, driven by
 * puppeteer-core, opens the page, which runs seed_mnist. The page's screenshot goes to
 * `out/browser/seed_mnist.png`. Then the README's browser example, as written, runs in a page
 * beside the bundle and `model.tflite`. Skips, saying why, where Chromium is absent (`CHROMIUM`
 * names another executable than /usr/bin/chromium).
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import puppeteer from "npm:puppeteer-core@24.43.1";
import { ROOT } from "../helpers.ts";
import { readmeBlock } from "../readme/readme_blocks.ts";
import { SEED_MNIST_FILES } from "../package/seed_mnist_check.js";

const CHROMIUM = Deno.env.get("CHROMIUM") ?? "/usr/bin/chromium";
const SCREENSHOT = `${ROOT}out/browser/seed_mnist.png`;

/** What the server answers, by URL path: [file, content type]. */
const ROUTES = new Map<string, [string, string]>([
  ["/", [`${ROOT}tests/browser/index.html`, "text/html; charset=utf-8"]],
  ["/liteq.browser.js", [`${ROOT}dist/liteq.browser.js`, "text/javascript"]],
  ["/seed_mnist_check.js", [`${ROOT}tests/package/seed_mnist_check.js`, "text/javascript"]],
  ["/model.tflite", [`${ROOT}data/seed_mnist.float.tflite`, "application/octet-stream"]],
  ...Object.values(SEED_MNIST_FILES).map((path): [string, [string, string]] => [
    `/fixtures/${path}`,
    [`${ROOT}tests/fixtures/${path}`, "application/octet-stream"],
  ]),
]);

async function serveFile(request: Request): Promise<Response> {
  const path = new URL(request.url).pathname;
  if (path === "/readme.html") {
    const example = readmeBlock("### Browsers", "html", "liteq.browser.js");
    return new Response(example, { headers: { "content-type": "text/html; charset=utf-8" } });
  }
  const route = ROUTES.get(path);
  if (!route) return new Response("not found", { status: 404 });
  const [file, type] = route;
  return new Response(await Deno.readFile(file), { headers: { "content-type": type } });
}

/** Runs `deno task build:browser`; throws with its output when the bundle cannot be built. */
async function buildBundle(): Promise<void> {
  const { success, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "build:browser"],
    cwd: ROOT,
  }).output();
  const decoder = new TextDecoder();
  if (!success) throw new Error(`${decoder.decode(stdout)}${decoder.decode(stderr)}`);
}

Deno.test("the browser bundle runs seed_mnist in headless Chromium", async () => {
  if (!existsSync(CHROMIUM)) {
    console.log(`skipped: the browser test needs Chromium, and ${CHROMIUM} is absent`);
    return;
  }
  await buildBundle();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, serveFile);
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox"],
  });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(String(error)));
    await page.goto(`http://127.0.0.1:${server.addr.port}/`);
    const result = await page.evaluate(() =>
      (globalThis as unknown as { liteqCheck: Promise<Record<string, unknown>> }).liteqCheck
    );
    await Deno.mkdir(`${ROOT}out/browser`, { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    assert.deepEqual(errors, []);
    assert.equal(result.ok, true, String(result.message));
    assert.equal(result.samples, 16);
    assert.equal((result.digits as number[]).length, 16);

    // What the example logs, kept for the test: the first argument's type and length.
    await page.evaluateOnNewDocument(`console.log = (value) => {
      globalThis.logged = value.constructor.name + "(" + value.length + ")";
    }`);
    await page.goto(`http://127.0.0.1:${server.addr.port}/readme.html`);
    await page.waitForFunction("globalThis.logged !== undefined");
    assert.equal(await page.evaluate("globalThis.logged"), "Float32Array(10)");
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await server.shutdown();
  }
});
