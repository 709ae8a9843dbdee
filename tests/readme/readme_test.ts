/**
 * The README's examples run as written: each block is cut out of README.md, its `./mod.ts`
 * import pointed at the repository's, and type-checked and run by Deno from the repository root.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { ROOT } from "../helpers.ts";

/** The first fenced `language` block after the heading `heading` of README.md. */
export function readmeBlock(heading: string, language: string, containing = ""): string {
  const text = readFileSync(`${ROOT}README.md`, "utf8");
  const start = text.indexOf(`\n${heading}\n`);
  assert.ok(start >= 0, `README.md has no heading "${heading}"`);
  const fence = new RegExp("```" + language + "\\n([\\s\\S]*?)```", "g");
  fence.lastIndex = start;
  for (let match = fence.exec(text); match; match = fence.exec(text)) {
    if (match[1].includes(containing)) return match[1];
  }
  throw new Error(`README.md has no ${language} block containing "${containing}" after ${heading}`);
}

/** Runs a README TypeScript block with Deno from the repository root; returns its stdout. */
async function runBlock(name: string, code: string, permissions: string[]): Promise<string> {
  mkdirSync(`${ROOT}out/readme`, { recursive: true });
  const path = `${ROOT}out/readme/${name}.ts`;
  writeFileSync(path, code.replaceAll('"./mod.ts"', `"${ROOT}mod.ts"`));
  const { success, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--check", ...permissions, path],
    cwd: ROOT,
  }).output();
  const decoder = new TextDecoder();
  assert.ok(success, `${name}:\n${decoder.decode(stderr)}`);
  return decoder.decode(stdout);
}

Deno.test("README: the interpreter example, signature runner included, runs as written", async () => {
  const code = readmeBlock("### The interpreter", "ts", "signatureRunner");
  const output = await runBlock("interpreter", code, ["--allow-read=."]);
  assert.match(output, /keras_tensor/);
  assert.match(output, /Float32Array\(10\)/);
});
