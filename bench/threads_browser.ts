/**
 * liteq's threads against LiteRT.js's threaded build (XNNPACK over pthreads, one per reported
 * core), in headless Chromium on a cross-origin isolated page: LiteRT.js's pthread workers do not
 * start under Deno with the shims of `litert.ts`. For each MobileNet (V2 and V1, float and int8)
 * liteq on 1 and 2 threads and LiteRT.js's threaded build on 2 and 1 threads alternate single
 * runs after warm-up in the one page; prints the medians and the ratios. Figures mean something
 * only on a quiet machine.
 *
 * Run with `deno run --allow-read --allow-write --allow-run --allow-env --allow-net=127.0.0.1
 * bench/threads_browser.ts [--arithmetic=xnnpack] [--kernels=relaxed] [--litert=plain]
 * [--models=a.int8,b.float]` (Chromium at /usr/bin/chromium, or `CHROMIUM`): `--arithmetic` sets
 * liteq's integer arithmetic, `--kernels` its kernel build (`relaxed`: fused float multiply-adds,
 * as LiteRT.js's XNNPACK computes), `--litert=plain` compares with LiteRT.js's single-threaded
 * build instead.
 */
import { existsSync } from "node:fs";
import puppeteer from "npm:puppeteer-core@24.43.1";
import { serveIsolated } from "../tests/browser/isolated_server.ts";
import { modelPath, ms, ratio, Table } from "./catalog.ts";

const CHROMIUM = Deno.env.get("CHROMIUM") ?? "/usr/bin/chromium";
/** The `--name=value` arguments. */
const flags = new Map(
  Deno.args.map((argument) => argument.replace(/^--/, "").split("=") as [string, string]),
);
const arithmetic = flags.get("arithmetic") ?? "reference";
const kernels = flags.get("kernels") ?? "auto";
const plain = flags.get("litert") === "plain";
const MODELS = (flags.get("models")?.split(",") ?? [
  "mobilenet_v2.float",
  "mobilenet_v2.int8",
  "mobilenet_v1.float",
  "mobilenet_v1.int8",
])
  .filter((name) => modelPath(name.split(".")[0], name.split(".")[1]) !== null);

/** One model's figures from the page, or why it failed there. */
interface PageRow {
  model: string;
  medians?: number[];
  rounds?: number;
  variant?: string;
  error?: string;
}

if (!existsSync(CHROMIUM)) {
  console.log(`skipped: the browser benchmark needs Chromium, and ${CHROMIUM} is absent`);
  Deno.exit(0);
}
const page = await Deno.readTextFile(new URL("threads_browser.html", import.meta.url));
const server = await serveIsolated({ "/threads_browser.html": page }, true);
const browser = await puppeteer.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ["--no-sandbox"],
  protocolTimeout: 0,
});
try {
  const tab = await browser.newPage();
  tab.on("pageerror", (error) => console.log(`page error: ${error}`));
  await tab.goto(
    `${server.origin}/threads_browser.html?models=${MODELS.map((name) => `${name}.tflite`)}` +
      `&arithmetic=${arithmetic}&kernels=${kernels}${plain ? "&litert=plain" : ""}`,
  );
  const rows = await tab.evaluate(() =>
    (globalThis as unknown as { liteqBench: Promise<PageRow[] | { error: string }> }).liteqBench
  );
  if (!Array.isArray(rows)) throw new Error(rows.error);
  const cores = await tab.evaluate(() => navigator.hardwareConcurrency);
  console.log(
    `liteq ("${arithmetic}" arithmetic) and LiteRT.js's ${
      plain ? "single-threaded build" : `threaded build (${cores} cores reported)`
    } in headless Chromium, alternating single runs after warm-up, medians:`,
  );
  const peers = plain ? ["LiteRT.js 1T"] : ["LiteRT.js 2T", "LiteRT.js 1T"];
  const table = new Table([
    "model",
    "liteq 1T ms",
    "liteq 2T ms",
    ...peers.map((peer) => `${peer} ms`),
    "liteq 2T / 1T",
    ...(plain ? [] : ["LiteRT.js 2T / 1T", "liteq 2T / LiteRT.js 2T"]),
    "liteq 1T / LiteRT.js 1T",
    "rounds",
    "liteq build",
  ]);
  for (const row of rows) {
    if (!row.medians) {
      console.log(`${row.model}: ${row.error}`);
      continue;
    }
    const [one, two, ...peer] = row.medians;
    const peerOne = peer[peer.length - 1];
    table.row([
      row.model.replace(/\.tflite$/, ""),
      ms(one),
      ms(two),
      ...peer.map(ms),
      ratio(two / one),
      ...(plain ? [] : [ratio(peer[0] / peerOne), ratio(two / peer[0])]),
      ratio(one / peerOne),
      String(row.rounds),
      row.variant ?? "",
    ]);
  }
} finally {
  await browser.close();
  await server.close();
}
