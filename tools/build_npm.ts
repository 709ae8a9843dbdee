/**
 * Builds the npm package `liteq` into `dist/` (`deno task build:npm`; `npm pack` runs it through
 * `prepack`): ESM JavaScript and `.d.ts` for `mod.ts` and every module of `src/`, compiled by
 * TypeScript's `tsc` from a staged copy of the sources whose `npm:name@version` imports become
 * bare `name` imports; the wasm kernels in `dist/build/`, where `src/runtime/wasm.ts` finds them
 * (`../../build/` from `dist/src/runtime/`); and `dist/bin/liteq.js`, the CLI for Node and Bun.
 *
 * Fails before compiling when package.json's `dependencies` differ from the `npm:` imports of the
 * sources, or its version from deno.json's.
 */
const root = new URL("../", import.meta.url).pathname;
const stage = `${root}out/npm_stage/`;
const dist = `${root}dist/`;

/** The sources compiled into the package, relative to the repository root. */
async function sources(directory: string): Promise<string[]> {
  const paths: string[] = [];
  for await (const entry of Deno.readDir(`${root}${directory}`)) {
    const path = `${directory}/${entry.name}`;
    if (entry.isDirectory) paths.push(...await sources(path));
    else if (entry.name.endsWith(".ts")) paths.push(path);
  }
  return paths;
}

/** `import ... from "npm:name@version/sub"` (either quote): name, version, subpath. */
const NPM_SPECIFIER = /(["'])npm:((?:@[^/@"']+\/)?[^/@"']+)@([^/"']+)((?:\/[^"']*)?)\1/g;

/** Copies each source into the stage with bare npm imports; returns the packages imported. */
async function stageSources(paths: string[]): Promise<Map<string, string>> {
  const imported = new Map<string, string>();
  for (const path of paths) {
    const text = await Deno.readTextFile(`${root}${path}`);
    const staged = text.replace(NPM_SPECIFIER, (_, quote, name, version, subpath) => {
      imported.set(name, version);
      return `${quote}${name}${subpath}${quote}`;
    });
    const target = `${stage}${path}`;
    await Deno.mkdir(target.slice(0, target.lastIndexOf("/")), { recursive: true });
    await Deno.writeTextFile(target, staged);
  }
  return imported;
}

/** The problems of package.json against the sources' npm imports and deno.json's version. */
function manifestProblems(imported: Map<string, string>): string[] {
  const manifest = JSON.parse(Deno.readTextFileSync(`${root}package.json`));
  const denoVersion = JSON.parse(Deno.readTextFileSync(`${root}deno.json`)).version;
  const declared: Record<string, string> = manifest.dependencies ?? {};
  const problems: string[] = [];
  if (manifest.version !== denoVersion) {
    problems.push(`package.json has version ${manifest.version}, deno.json ${denoVersion}`);
  }
  for (const [name, version] of imported) {
    if (declared[name] !== version) {
      problems.push(
        `src/ imports npm:${name}@${version}; package.json's dependencies must list it`,
      );
    }
  }
  for (const name of Object.keys(declared)) {
    if (!imported.has(name)) {
      problems.push(`package.json depends on ${name}, which src/ no longer imports`);
    }
  }
  return problems;
}

const COMPILER_OPTIONS = {
  target: "ES2022",
  module: "NodeNext",
  moduleResolution: "NodeNext",
  lib: ["ES2023", "DOM"],
  types: ["node"],
  strict: true,
  skipLibCheck: true,
  allowImportingTsExtensions: true,
  rewriteRelativeImportExtensions: true,
  declaration: true,
  noEmitOnError: true,
  rootDir: ".",
  outDir: dist,
};

/** Types for what the sources use beyond Node's types: Deno's and Bun's `import.meta.main`. */
const AMBIENT_TYPES = `interface ImportMeta {
  readonly main: boolean;
}
`;

/** `dist/bin/liteq.js`: `src/cli/main.ts`'s `import.meta.main` guard does not fire in Node 20. */
const BIN = `#!/usr/bin/env node
// The liteq command line (package.json's "bin"), written by tools/build_npm.ts.
import process from "node:process";
import { main } from "../src/cli/main.js";

process.exit(await main(process.argv.slice(2)));
`;

/** Removes a file or folder, if there is one. */
async function removeIfPresent(path: string): Promise<void> {
  try {
    await Deno.remove(path, { recursive: true });
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

/** A relative `.ts` import (either quote), as tsc leaves them in the `.d.ts` files it writes. */
const RELATIVE_TS_IMPORT = /(["'])(\.{1,2}\/[^"']+)\.ts\1/g;

/**
 * Points the relative imports of the `.d.ts` files under `folder` at `.js`, which TypeScript maps
 * to the `.d.ts` beside it and Deno too (a `.ts` specifier names a file the package lacks).
 */
async function rewriteDeclarationImports(folder: string): Promise<void> {
  for await (const entry of Deno.readDir(folder)) {
    const path = `${folder}${entry.name}`;
    if (entry.isDirectory) await rewriteDeclarationImports(`${path}/`);
    else if (entry.name.endsWith(".d.ts")) {
      const text = await Deno.readTextFile(path);
      await Deno.writeTextFile(path, text.replace(RELATIVE_TS_IMPORT, "$1$2.js$1"));
    }
  }
}

for (
  const output of [
    stage,
    ...["mod.js", "mod.d.ts", "src", "build", "bin"].map((name) => dist + name),
  ]
) {
  await removeIfPresent(output);
}
const paths = ["mod.ts", ...await sources("src")];
const problems = manifestProblems(await stageSources(paths));
if (problems.length > 0) {
  console.error(`build:npm: package.json does not match the sources:\n  ${problems.join("\n  ")}`);
  Deno.exit(1);
}
await Deno.writeTextFile(`${stage}ambient.d.ts`, AMBIENT_TYPES);
await Deno.writeTextFile(
  `${stage}tsconfig.json`,
  JSON.stringify({ compilerOptions: COMPILER_OPTIONS, files: [...paths, "ambient.d.ts"] }, null, 2),
);
const tsc = await new Deno.Command(`${root}node_modules/.bin/tsc`, {
  args: ["--project", `${stage}tsconfig.json`],
  stdout: "inherit",
  stderr: "inherit",
}).output();
if (tsc.code !== 0) {
  console.error("build:npm: tsc failed");
  Deno.exit(1);
}
await rewriteDeclarationImports(dist);
await Deno.mkdir(`${dist}build`, { recursive: true });
for (const kernel of ["liteq_simd.wasm", "liteq_relaxed.wasm", "liteq_relaxed_exact.wasm"]) {
  await Deno.copyFile(`${root}build/${kernel}`, `${dist}build/${kernel}`);
}
await Deno.mkdir(`${dist}bin`, { recursive: true });
await Deno.writeTextFile(`${dist}bin/liteq.js`, BIN, { mode: 0o755 });
console.log(`build:npm: dist/ holds ${paths.length} modules, the kernels and bin/liteq.js`);
