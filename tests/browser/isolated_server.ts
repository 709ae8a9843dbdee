/**
 * A static server on 127.0.0.1 for pages that run liteq's threads in headless Chromium: liteq
 * bundled for the browser (`deno bundle --platform browser`) at `/dist/liteq.js`, its kernels at
 * `/build/` (where the bundle looks them up), LiteRT.js bundled at `/dist/litert.js` with its wasm
 * runtimes at `/litert/`, the model fixtures and `../shared` models at `/models/NAME`, and HTML
 * pages given by the caller. Pages are served cross-origin isolated (COOP/COEP headers, so they
 * have `SharedArrayBuffer`) except under `/plain/`. The bundle's static imports of Node built-ins
 * (file helpers no page calls) resolve through an import map, written into each page, to stubs.
 */
import { existsSync } from "node:fs";
import { ROOT, SHARED } from "../helpers.ts";

/** Where the bundles go. */
const OUT = `${ROOT}out/threads`;

/** The headers that make a page cross-origin isolated. */
const ISOLATION = {
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-embedder-policy": "require-corp",
};

const TYPES: Record<string, string> = {
  ".js": "text/javascript",
  ".wasm": "application/wasm",
  ".html": "text/html; charset=utf-8",
  ".tflite": "application/octet-stream",
};

/** Bundles `entry` for the browser into `output`; throws with the bundler's output on failure. */
async function bundle(entry: string, output: string): Promise<void> {
  const { success, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["bundle", "--quiet", "--platform", "browser", "--output", output, entry],
    cwd: ROOT,
  }).output();
  if (!success) throw new Error(`bundling ${entry}: ${new TextDecoder().decode(stderr)}`);
}

/** Stub modules for the named imports of Node built-ins in `source`, by specifier. */
function nodeStubs(source: string): Map<string, string> {
  const names = new Map<string, Set<string>>();
  for (
    const [, list, specifier] of source.matchAll(/import\s*{([^}]*)}\s*from\s*"(node:[^"]+)"/g)
  ) {
    const set = names.get(specifier) ?? new Set<string>();
    for (const binding of list.split(",")) {
      const name = binding.trim().split(/\s+as\s+/)[0];
      if (name) set.add(name);
    }
    names.set(specifier, set);
  }
  return new Map([...names].map(([specifier, set]) => [
    specifier,
    [...set].map((name) =>
      `export const ${name} = () => { throw new Error("${specifier} is not in a browser"); };`
    ).join("\n"),
  ]));
}

/** A running server: its origin, and `close`. */
export interface IsolatedServer {
  origin: string;
  close(): Promise<void>;
}

/**
 * Bundles liteq (and LiteRT.js when `litert`) and serves them with `pages` (URL path to HTML,
 * without the import map: it is added before the first script).
 */
export async function serveIsolated(
  pages: Record<string, string>,
  litert = false,
): Promise<IsolatedServer> {
  await Deno.mkdir(OUT, { recursive: true });
  await bundle("mod.ts", `${OUT}/liteq.js`);
  if (litert) {
    await Deno.writeTextFile(
      `${OUT}/litert_entry.ts`,
      'export * from "npm:@litertjs/core@2.5.3";\n',
    );
    await bundle(`${OUT}/litert_entry.ts`, `${OUT}/litert.js`);
  }
  const stubs = nodeStubs(await Deno.readTextFile(`${OUT}/liteq.js`));
  const importMap = JSON.stringify({
    imports: Object.fromEntries([...stubs.keys()].map((specifier) => [
      specifier,
      `/stub/${specifier.replace(/[:/]/g, "_")}.js`,
    ])),
  });
  const stubFiles = new Map(
    [...stubs].map(([specifier, text]) => [`/stub/${specifier.replace(/[:/]/g, "_")}.js`, text]),
  );
  const file = (path: string): string | null => {
    if (path.startsWith("/dist/")) return `${OUT}/${path.slice(6)}`;
    if (path.startsWith("/build/")) return `${ROOT}build/${path.slice(7)}`;
    if (path.startsWith("/litert/")) {
      return `${ROOT}node_modules/@litertjs/core/wasm/${path.slice(8)}`;
    }
    if (path.startsWith("/models/")) {
      const name = path.slice(8);
      const fixture = `${ROOT}tests/fixtures/models/${name}`;
      return existsSync(fixture) ? fixture : SHARED ? `${SHARED}/models/${name}` : null;
    }
    return null;
  };
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (request) => {
      const url = new URL(request.url);
      const plain = url.pathname.startsWith("/plain/");
      const path = plain ? url.pathname.slice(6) : url.pathname;
      const headers: Record<string, string> = plain ? {} : { ...ISOLATION };
      const page = pages[path];
      if (page !== undefined) {
        const html = page.replace(
          "<script",
          `<script type="importmap">${importMap}</script>\n<script`,
        );
        return new Response(html, { headers: { ...headers, "content-type": TYPES[".html"] } });
      }
      const stub = stubFiles.get(path);
      if (stub !== undefined) {
        return new Response(stub, { headers: { ...headers, "content-type": TYPES[".js"] } });
      }
      const target = file(path);
      if (!target || path.includes("..") || !existsSync(target)) {
        return new Response("not found", { status: 404, headers });
      }
      const type = TYPES[path.slice(path.lastIndexOf("."))] ?? "application/octet-stream";
      return new Response(await Deno.readFile(target), {
        headers: { ...headers, "content-type": type },
      });
    },
  );
  return {
    origin: `http://127.0.0.1:${server.addr.port}`,
    close: () => server.shutdown(),
  };
}
