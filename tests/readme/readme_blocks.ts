/** The README's code blocks, cut out for the tests that run them. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { ROOT } from "../helpers.ts";

/** The heading of the README section that the tests follow step by step. */
export const USE_IT = "## Use it from your project";

/**
 * The first fenced `language` block after the heading `heading` of README.md that holds
 * `containing`.
 */
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
