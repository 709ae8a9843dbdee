/**
 * Builds the browser bundle `dist/liteq.browser.js` (`deno task build:browser`): `mod.ts` and
 * everything it imports in one minified ES module, by `deno bundle --platform browser`, with
 * `tools/browser_imports.json` putting `src/io/files_browser.ts` in the place of `files.ts` (a
 * page reads no file by path). Fails, naming the cause, when the bundle could not load or run in
 * a browser: a static import of a Node built-in (`node:*`), or a file it would look up beside
 * itself (`new URL("...", import.meta.url)`), which a page serving the bundle alone does not have.
 * `bundleForBrowser` also builds the page's worker (tools/build_web.ts).
 */
const root = new URL("../", import.meta.url).pathname;

/** The source files that statically import each Node built-in, from `deno info`'s module graph. */
async function nodeImporters(entry: string): Promise<Map<string, string[]>> {
  const { stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    cwd: root,
    stderr: "inherit",
  }).output();
  const graph = JSON.parse(new TextDecoder().decode(stdout));
  const importers = new Map<string, string[]>();
  for (const module of graph.modules) {
    for (const dependency of module.dependencies ?? []) {
      if (!dependency.specifier.startsWith("node:") || dependency.isDynamic) continue;
      const file = module.specifier.replace(`file://${root}`, "");
      importers.set(dependency.specifier, [...importers.get(dependency.specifier) ?? [], file]);
    }
  }
  return importers;
}

/**
 * Bundles `entry` (relative to the repository root) into the minified ES module `output`;
 * returns what would keep it from running in a browser (and then removes it), or nothing.
 */
export async function bundleForBrowser(entry: string, output: string): Promise<string[]> {
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      "--quiet",
      "--platform",
      "browser",
      "--import-map",
      "tools/browser_imports.json",
      "--minify",
      "--output",
      output,
      entry,
    ],
    cwd: root,
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (code !== 0) return [`deno bundle ${entry} failed`];
  const text = await Deno.readTextFile(`${root}${output}`);
  const problems: string[] = [];
  const staticNodeImports = new Set(
    [...text.matchAll(/(?:from|import)\s*["'](node:[^"']+)["']/g)].map((match) => match[1]),
  );
  if (staticNodeImports.size > 0) {
    const importers = await nodeImporters(entry);
    for (const specifier of staticNodeImports) {
      problems.push(`imports ${specifier} (from ${importers.get(specifier)?.join(", ") ?? "?"})`);
    }
  }
  for (
    const [, path] of text.matchAll(/new URL\(\s*["']([^"']+)["']\s*,\s*import\.meta\.url\s*\)/g)
  ) {
    problems.push(`looks up ${path} beside the bundle`);
  }
  if (problems.length > 0) await Deno.remove(`${root}${output}`);
  return problems;
}

if (import.meta.main) {
  const bundle = "dist/liteq.browser.js";
  const problems = await bundleForBrowser("mod.ts", bundle);
  if (problems.length > 0) {
    console.error(
      `build:browser: ${bundle} would not run in a browser:\n  ${problems.join("\n  ")}`,
    );
    Deno.exit(1);
  }
  const { size } = await Deno.stat(`${root}${bundle}`);
  console.log(`build:browser: ${bundle}, ${(size / 1024).toFixed(0)} KB`);
}
