/**
 * The README's examples run as written: each block is cut out of README.md, its `./mod.ts`
 * import pointed at the repository's, and type-checked and run by Deno. "Use it from your
 * project" is followed step by step: the Deno-by-URL script with exactly the permissions given
 * (liteq served on loopback as the README says to serve it, and refused as JavaScript), the CLI
 * installed with `deno install -g` and run from another folder, `deno task --cwd`, and samples
 * from a `.npy`. (The npm steps are followed by tests/package, the browser ones by
 * tests/browser.)
 */
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { encodeNpy } from "../../mod.ts";
import { ROOT } from "../helpers.ts";
import { mnistSamples } from "../quantize/debug/mnist_samples.ts";
import { readmeBlock, USE_IT } from "./readme_blocks.ts";

const MODEL = `${ROOT}data/seed_mnist.float.tflite`;

/** The lines of a README shell block, without comments and blank lines. */
function commands(block: string): string[] {
  return block.split("\n").map((line) => line.replace(/#.*/, "").trim()).filter(Boolean);
}

/** Runs `command` in `cwd` (PATH led by `path` when given); returns its outcome. */
async function run(
  command: string[],
  cwd: string,
  path?: string,
  denoDir?: string,
): Promise<{ success: boolean; stdout: string; stderr: string }> {
  // As from a shell: without the INIT_CWD of the `deno task test` running this test, which a
  // nested `deno task` would keep.
  const { INIT_CWD: _, ...env } = Deno.env.toObject();
  if (path) env.PATH = `${path}:${env.PATH}`;
  if (denoDir) env.DENO_DIR = denoDir;
  const [program, ...args] = command;
  const output = await new Deno.Command(program === "deno" ? Deno.execPath() : program, {
    args,
    cwd,
    env,
    clearEnv: true,
  }).output();
  const decoder = new TextDecoder();
  return {
    success: output.success,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** Runs a README TypeScript block with Deno in `cwd` (the repository root by default). */
async function runBlock(
  name: string,
  code: string,
  permissions: string[],
  cwd = ROOT,
): Promise<string> {
  mkdirSync(`${ROOT}out/readme`, { recursive: true });
  const path = `${ROOT}out/readme/${name}.ts`;
  writeFileSync(path, code.replaceAll('"./mod.ts"', `"${ROOT}mod.ts"`));
  const result = await run(["deno", "run", "--quiet", "--check", ...permissions, path], cwd);
  assert.ok(result.success, `${name}:\n${result.stderr}`);
  return result.stdout;
}

/** A new temporary folder holding the README's `model.tflite` (seed_mnist). */
async function projectFolder(): Promise<string> {
  const folder = await Deno.makeTempDir({ prefix: "liteq_readme_" });
  copyFileSync(MODEL, `${folder}/model.tflite`);
  return folder;
}

Deno.test("README: the interpreter example, signature runner included, runs as written", async () => {
  const code = readmeBlock("### The interpreter", "ts", "signatureRunner");
  const output = await runBlock("interpreter", code, ["--allow-read=."]);
  assert.match(output, /keras_tensor/);
  assert.match(output, /Float32Array\(10\)/);
});

/** Serves the repository on loopback, `.ts` files with `content-type` `typescriptType`. */
function serveRepository(typescriptType: string): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    const path = decodeURIComponent(new URL(request.url).pathname).replace(/^\/liteq\//, "");
    try {
      const body = readFileSync(`${ROOT}${path}`);
      const type = path.endsWith(".ts") ? typescriptType : "application/octet-stream";
      return new Response(body, { headers: { "content-type": type } });
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
}

Deno.test("README: Deno by URL, with exactly the permissions given", async () => {
  const folder = await projectFolder();
  for (const [type, works] of [["application/typescript", true], ["text/javascript", false]]) {
    const server = serveRepository(type as string);
    try {
      const host = `127.0.0.1:${server.addr.port}`;
      const script = readmeBlock(USE_IT, "ts", "https://your.host/liteq/mod.ts");
      writeFileSync(`${folder}/main.ts`, script.replace("https://your.host", `http://${host}`));
      const [command] = commands(readmeBlock(USE_IT, "sh", "--allow-import=your.host"));
      // A cache of its own: a port an earlier run used must not bring back that run's modules.
      const cache = await Deno.makeTempDir({ prefix: "liteq_deno_dir_" });
      const result = await run(
        command.replace("your.host", host).split(" "),
        folder,
        undefined,
        cache,
      );
      await Deno.remove(cache, { recursive: true });
      if (works) {
        assert.ok(result.success, result.stderr);
        assert.match(result.stdout, /^Float32Array\(10\)/);
      } else {
        assert.ok(!result.success);
        assert.match(result.stderr, /SyntaxError/);
      }
    } finally {
      await server.shutdown();
    }
  }
  await Deno.remove(folder, { recursive: true });
});

Deno.test("README: the CLI installed with deno install -g runs from any folder", async () => {
  const folder = await projectFolder();
  const root = await Deno.makeTempDir({ prefix: "liteq_install_" });
  try {
    const [install] = commands(readmeBlock(USE_IT, "sh", "deno install -g"));
    const installed = await run(
      install.replace("install -g", `install -g --root ${root}`).split(" "),
      ROOT,
    );
    assert.ok(installed.success, installed.stderr);
    const path = `${root}/bin:${dirname(Deno.execPath())}`;
    const [inspect, convert] = commands(readmeBlock(USE_IT, "sh", "liteq inspect model.tflite"));
    const inspected = await run(inspect.split(" "), folder, path);
    assert.match(inspected.stdout, /^model.tflite: 85,376 bytes, TFLite schema v3/);
    const converted = await run(convert.split(" "), folder, path);
    assert.ok(converted.success, converted.stderr);
    assert.equal(Deno.statSync(`${folder}/model.f16.tflite`).size, 44804);
    const task = await run(
      ["deno", "task", "--quiet", "--cwd", ROOT, "liteq", "inspect", "model.tflite"],
      folder,
    );
    assert.match(task.stdout, /^model.tflite: 85,376 bytes/);
  } finally {
    await Deno.remove(folder, { recursive: true });
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("README: samples from a .npy run in one call", async () => {
  const folder = await projectFolder();
  try {
    const { data } = await mnistSamples(8);
    writeFileSync(`${folder}/images.npy`, encodeNpy(data));
    const code = readmeBlock("### Inputs from images or `.npy`", "ts", "parseNpy");
    const output = await runBlock("npy", code, ["--allow-read"], folder);
    assert.equal(output.trim(), "[ 8, 10 ]");
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});
