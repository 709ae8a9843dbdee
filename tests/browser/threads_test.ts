/**
 * Threads in a real browser: headless Chromium opens `threads.html` cross-origin isolated, where
 * seed_cifar_arch.float runs on 1, 2 and 3 threads (web workers over one shared memory) with the
 * same output bits, and again without isolation, where there is no `SharedArrayBuffer` and the
 * interpreter runs on one thread, saying why. Skips, saying why, where Chromium is absent.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import puppeteer from "npm:puppeteer-core@24.43.1";
import { ROOT } from "../helpers.ts";
import { serveIsolated } from "./isolated_server.ts";

const CHROMIUM = Deno.env.get("CHROMIUM") ?? "/usr/bin/chromium";

interface PageResult {
  isolated?: boolean;
  threads?: { requested: number; count: number; fallback: string | null }[];
  same?: boolean;
  error?: string;
}

Deno.test("threads run in headless Chromium when cross-origin isolated, and fall back without", async () => {
  if (!existsSync(CHROMIUM)) {
    console.log(`skipped: the browser test needs Chromium, and ${CHROMIUM} is absent`);
    return;
  }
  const page = await Deno.readTextFile(`${ROOT}tests/browser/threads.html`);
  const server = await serveIsolated({ "/threads.html": page });
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox"],
  });
  try {
    const open = async (path: string): Promise<PageResult> => {
      const tab = await browser.newPage();
      const errors: string[] = [];
      tab.on("pageerror", (error) => errors.push(String(error)));
      await tab.goto(`${server.origin}${path}?model=seed_cifar_arch.float.tflite`);
      const result = await tab.evaluate(() =>
        (globalThis as unknown as { liteqThreads: Promise<PageResult> }).liteqThreads
      );
      assert.deepEqual(errors, []);
      await tab.close();
      return result;
    };
    const isolated = await open("/threads.html");
    assert.equal(isolated.error, undefined, isolated.error);
    assert.equal(isolated.isolated, true);
    assert.deepEqual(isolated.threads!.map((threads) => threads.count), [1, 2, 3]);
    assert.equal(isolated.same, true);
    const plain = await open("/plain/threads.html");
    assert.equal(plain.error, undefined, plain.error);
    assert.equal(plain.isolated, false);
    assert.deepEqual(plain.threads!.map((threads) => threads.count), [1, 1, 1]);
    assert.match(plain.threads![1].fallback!, /not cross-origin isolated/);
  } finally {
    await browser.close();
    await server.close();
  }
});
