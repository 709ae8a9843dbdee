/**
 * `mod.ts` imported from an http URL: a loopback server serves the repository, a subprocess
 * imports `http://127.0.0.1:PORT/mod.ts`, loads a model by URL and runs it, on the kernels
 * embedded in the modules, then on `build/liteq_simd.wasm` given by URL (`wasm`), which arrives
 * by `fetch`. Its outputs must equal a local run's.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Interpreter } from "../../mod.ts";
import { ROOT } from "../helpers.ts";

const MODEL = "tests/fixtures/models/seed_mnist.f16.tflite";

Deno.test("mod.ts works imported from an http URL, kernels embedded or fetched", async () => {
  const requested: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    const path = decodeURIComponent(new URL(request.url).pathname);
    requested.push(path);
    try {
      const body = readFileSync(`${ROOT}${path.slice(1)}`);
      const type = path.endsWith(".ts") ? "application/typescript" : "application/octet-stream";
      return new Response(body, { headers: { "content-type": type } });
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
  try {
    const base = `http://127.0.0.1:${server.addr.port}/`;
    const script = `
      const { Interpreter } = await import("${base}mod.ts");
      const input = Float32Array.from({ length: 784 }, (_, index) => (index % 7) / 7);
      const embedded = await Interpreter.load("${base}${MODEL}");
      const fetched = await Interpreter.load("${base}${MODEL}", {
        wasm: new URL("${base}build/liteq_simd.wasm"),
      });
      console.log(JSON.stringify([embedded, fetched].map((it) => Array.from(it.run([input])[0]))));
    `;
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      // --no-lock: the loopback URLs (a new port each run) must not enter deno.lock. --reload: a
      // port used by an earlier run must not bring back that run's modules from Deno's cache.
      args: ["eval", "--quiet", "--no-lock", `--reload=${base}`, script],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(code, 0, new TextDecoder().decode(stderr));
    const [embedded, fetched] = JSON.parse(new TextDecoder().decode(stdout));
    const input = Float32Array.from({ length: 784 }, (_, index) => (index % 7) / 7);
    const local = await Interpreter.load(`${ROOT}${MODEL}`);
    assert.deepEqual(embedded, Array.from(local.run([input])[0] as Float32Array));
    const simd = await Interpreter.load(`${ROOT}${MODEL}`, { kernels: "simd" });
    assert.deepEqual(fetched, Array.from(simd.run([input])[0] as Float32Array));
    assert.deepEqual(requested.filter((path) => path.endsWith(".wasm")), [
      "/build/liteq_simd.wasm",
    ]);
    assert.ok(requested.includes("/src/runtime/kernels_embedded.generated.ts"));
  } finally {
    await server.shutdown();
  }
});
