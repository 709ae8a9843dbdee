/**
 * Runs the portable tests (`tests/runtimes/*_test.ts`) under Node and Bun: each file is bundled by
 * `deno bundle` (dependencies inlined, as neither resolves `npm:` specifiers) into `out/`, then run
 * by `node --test` and `bun test`. Exits non-zero when either fails.
 */
const root = new URL("../", import.meta.url).pathname;
const outDir = `${root}out/runtimes`;
await Deno.mkdir(outDir, { recursive: true });

async function run(command: string, args: string[]): Promise<boolean> {
  console.log(`$ ${command} ${args.join(" ")}`);
  const { code } = await new Deno.Command(command, {
    args,
    cwd: root,
    env: { LITEQ_ROOT: root },
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  return code === 0;
}

const bundles: string[] = [];
for await (const entry of Deno.readDir(`${root}tests/runtimes`)) {
  if (!entry.name.endsWith("_test.ts")) continue;
  const bundle = `${outDir}/${entry.name.replace(/_test\.ts$/, ".test.mjs")}`;
  const ok = await run(Deno.execPath(), [
    "bundle",
    "--quiet",
    "--output",
    bundle,
    `tests/runtimes/${entry.name}`,
  ]);
  if (!ok) Deno.exit(1);
  bundles.push(bundle);
}
const nodeOk = await run("node", ["--test", ...bundles]);
const bunOk = await run(`${root}node_modules/.bin/bun`, ["test", ...bundles]);
if (!nodeOk || !bunOk) {
  console.error(`runtime tests failed:${nodeOk ? "" : " node"}${bunOk ? "" : " bun"}`);
  Deno.exit(1);
}
