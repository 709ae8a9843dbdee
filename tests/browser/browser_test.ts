/**
 * The browser bundle in a real browser: `deno task build:browser` builds `dist/liteq.browser.js`,
 * a static server on 127.0.0.1 serves it with index.html, seed_mnist_check.js and the fixtures it
 * reads (and nothing else: the bundle must carry its kernels), and headless Chromium, driven by
 * puppeteer-core, opens the page, which runs seed_mnist. The page's screenshot goes to
 * `out/browser/seed_mnist.png`. Skips, saying why, where Chromium is absent (`CHROMIUM` names
 * another executable than /usr/bin/chromium).
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import puppeteer from "npm:puppeteer-core@24.43.1";
import { ROOT } from "../helpers.ts";
import { SEED_MNIST_FILES } from "../package/seed_mnist_check.js";

const CHROMIUM = Deno.env.get("CHROMIUM") ?? "/usr/bin/chromium";
const SCREENSHOT = `${ROOT}out/browser/seed_mnist.png`;

/** What the server answers, by URL path: [file, content type]. */
const ROUTES = new Map<string, [string, string]>([
  ["/", [`${ROOT}tests/browser/index.html`, "text/html; charset=utf-8"]],
  ["/liteq.browser.js", [`${ROOT}dist/liteq.browser.js`, "text/javascript"]],
  ["/seed_mnist_check.js", [`${ROOT}tests/package/seed_mnist_check.js`, "text/javascript"]],
  ...Object.values(SEED_MNIST_FILES).map((path): [string, [string, string]] => [
    `/fixtures/${path}`,
    [`${ROOT}tests/fixtures/${path}`, "application/octet-stream"],
  ]),
]);

async function serveFile(request: Request): Promise<Response> {
  const route = ROUTES.get(new URL(request.url).pathname);
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
  } finally {
    await browser.close();
    await server.shutdown();
  }
});
