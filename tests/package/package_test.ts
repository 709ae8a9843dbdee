/**
 * The npm package as a project gets it: `npm pack` in the repository root builds `liteq` (its
 * `prepack` runs `deno task build:npm`); a temporary Node project installs the tarball with
 * `npm install --offline`, a temporary Bun project with `bun add`; each runs a script that imports
 * from "liteq" and runs seed_mnist_check.js, the README's Node and Bun example as written, and the
 * `liteq` bin, and a TypeScript file using the package compiles against its `.d.ts`; Bun's
 * bundler, targeting browsers, leaves Node's file system out. Skips, saying why, where npm, Node
 * or Bun is absent.
 */
import assert from "node:assert/strict";
import { FIXTURES, ROOT } from "../helpers.ts";
import { readmeBlock, USE_IT } from "../readme/readme_blocks.ts";

const BUN = `${ROOT}node_modules/.bin/bun`;
const TSC = `${ROOT}node_modules/.bin/tsc`;
const MODEL = `${FIXTURES}/models/seed_mnist.float.tflite`;

/**
 * The project's script (plain JavaScript, as Node 20 runs no TypeScript): imports from "liteq" and
 * runs the seed_mnist check on the fixtures under the folder given as its argument. Inline here
 * rather than a file of its own, since "liteq" resolves only inside the project.
 */
const CONSUMER = `import { readFile } from "node:fs/promises";
import process from "node:process";
import * as liteq from "liteq";
import { checkSeedMnist, SEED_MNIST_FILES } from "./seed_mnist_check.js";

const files = {};
for (const [key, path] of Object.entries(SEED_MNIST_FILES)) {
  files[key] = new Uint8Array(await readFile(process.argv[2] + "/" + path));
}
const { samples, digits } = await checkSeedMnist(liteq, files);
console.log("ok: seed_mnist, " + samples + " samples, digits " + digits.join(" "));
`;

/** A TypeScript consumer: compiles only when the package's types are there and right. */
const TYPED_CONSUMER =
  `import { Interpreter, type Model, quantize, readModel, writeModel } from "liteq";

const model: Model = readModel(new Uint8Array(0));
const bytes: Uint8Array = writeModel(await quantize(model, { mode: "float16" }));
const interpreter: Interpreter = await Interpreter.load(bytes);
export const inputs: number = interpreter.inputDetails().length;
// @ts-expect-error readModel returns a Model (were the types missing, this line would compile)
export const wrong: string = readModel(bytes);
`;

/** Whether `program --version` runs here. */
async function available(program: string): Promise<boolean> {
  try {
    const { success } = await new Deno.Command(program, {
      args: ["--version"],
      stdout: "null",
      stderr: "null",
    }).output();
    return success;
  } catch {
    return false;
  }
}

/** Runs `program` in `cwd`; returns its stdout, or throws with its whole output on failure. */
async function run(program: string, args: string[], cwd: string): Promise<string> {
  const { success, stdout, stderr } = await new Deno.Command(program, { args, cwd }).output();
  const decoder = new TextDecoder();
  if (!success) {
    throw new Error(
      `${program} ${args.join(" ")} failed:\n${decoder.decode(stdout)}${decoder.decode(stderr)}`,
    );
  }
  return decoder.decode(stdout);
}

/** A new project folder `name` in `parent`: an ESM package.json and the scripts using liteq. */
async function makeProject(parent: string, name: string): Promise<string> {
  const project = `${parent}/${name}`;
  await Deno.mkdir(project);
  const manifest = { name: `liteq-consumer-${name}`, private: true, type: "module" };
  await Deno.writeTextFile(`${project}/package.json`, JSON.stringify(manifest));
  await Deno.writeTextFile(`${project}/consumer.js`, CONSUMER);
  await Deno.writeTextFile(`${project}/typed_consumer.ts`, TYPED_CONSUMER);
  const example = readmeBlock(USE_IT, "js", 'from "liteq"');
  await Deno.writeTextFile(
    `${project}/readme_example.js`,
    `${example}console.log("ok: " + scores.length + " scores");\n`,
  );
  await Deno.copyFile(`${ROOT}data/seed_mnist.float.tflite`, `${project}/model.tflite`);
  await Deno.copyFile(
    `${ROOT}tests/package/seed_mnist_check.js`,
    `${project}/seed_mnist_check.js`,
  );
  return project;
}

/** The one `.tgz` file in `folder`. */
async function tarballIn(folder: string): Promise<string> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(folder)) {
    if (entry.name.endsWith(".tgz")) names.push(entry.name);
  }
  assert.equal(names.length, 1, `npm pack wrote ${names.join(", ") || "no tarball"}`);
  return `${folder}/${names[0]}`;
}

Deno.test("npm pack builds liteq, which Node and Bun projects install and run", async (t) => {
  const missing = [];
  for (const program of ["npm", "node", BUN]) {
    if (!await available(program)) missing.push(program);
  }
  if (missing.length > 0) {
    console.log(`skipped: the npm package test needs ${missing.join(", ")}, absent here`);
    return;
  }
  const temporary = await Deno.makeTempDir({ prefix: "liteq_package_" });
  try {
    await run("npm", ["pack", "--pack-destination", temporary], ROOT);
    const tarball = await tarballIn(temporary);

    await t.step("a Node project: npm install --offline, then import and bin", async () => {
      const project = await makeProject(temporary, "node");
      await run("npm", ["install", "--offline", "--no-audit", "--no-fund", tarball], project);
      assert.match(await run("node", ["consumer.js", FIXTURES], project), /^ok: seed_mnist/);
      assert.equal(await run("node", ["readme_example.js"], project), "ok: 10 scores\n");
      const inspect = await run("node_modules/.bin/liteq", ["inspect", MODEL], project);
      assert.match(inspect, /TFLite schema v3, 1 subgraph/);
      await run(TSC, [
        "--noEmit",
        "--strict",
        "--module",
        "nodenext",
        "--target",
        "es2022",
        "--lib",
        "es2023,dom,esnext.disposable",
        "typed_consumer.ts",
      ], project);
    });

    await t.step("a Bun project: bun add, then import and bin", async () => {
      const project = await makeProject(temporary, "bun");
      await run(BUN, ["add", tarball], project);
      assert.match(await run(BUN, ["consumer.js", FIXTURES], project), /^ok: seed_mnist/);
      assert.equal(await run(BUN, ["readme_example.js"], project), "ok: 10 scores\n");
      const inspect = await run(BUN, ["node_modules/.bin/liteq", "inspect", MODEL], project);
      assert.match(inspect, /TFLite schema v3, 1 subgraph/);
    });

    await t.step(
      "a bundler for browsers takes files_browser.js (package.json's browser field)",
      async () => {
        const project = `${temporary}/bun`;
        await Deno.writeTextFile(
          `${project}/browser_entry.js`,
          'import { Interpreter } from "liteq";\nconsole.log(Interpreter.name);\n',
        );
        await run(
          BUN,
          ["build", "--target=browser", "browser_entry.js", "--outfile=browser.js"],
          project,
        );
        const bundle = await Deno.readTextFile(`${project}/browser.js`);
        assert.doesNotMatch(bundle, /["']node:/);
        assert.match(bundle, /cannot read files by path in a browser/);
      },
    );
  } finally {
    await Deno.remove(temporary, { recursive: true });
  }
});
