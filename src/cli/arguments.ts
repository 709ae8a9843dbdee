/** A small, strict command-line parser: positionals and `--name [value]` flags. */

/** The command line is wrong; the message says how. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * What a flag takes: nothing (`boolean`), one value (`string`), or one value each time it is
 * repeated (`strings`).
 */
export type FlagSpec = Record<string, "boolean" | "string" | "strings">;

/**
 * Parsed flags: `true` for boolean flags given, the value for string flags given, the values in
 * order for repeatable ones.
 */
export type Flags<T extends FlagSpec> = {
  [K in keyof T]?: T[K] extends "boolean" ? boolean : T[K] extends "strings" ? string[] : string;
};

/**
 * Splits `argv` into exactly `positionalCount` positionals and the flags `spec` allows;
 * throws `UsageError` on an unknown flag, a missing value or a wrong number of positionals.
 */
export function parseArguments<T extends FlagSpec>(
  argv: string[],
  spec: T,
  positionalCount: number,
): { positional: string[]; flags: Flags<T> } {
  const positional: string[] = [];
  const flags: Record<string, boolean | string | string[]> = {};
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index];
    if (!argument.startsWith("--")) {
      positional.push(argument);
      continue;
    }
    const [name, inline] = argument.slice(2).split(/=(.*)/s, 2);
    const kind = spec[name];
    if (kind === undefined) throw new UsageError(`unknown option --${name}`);
    if (kind === "boolean") {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      flags[name] = true;
    } else {
      const value = inline ?? argv[++index];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      flags[name] = kind === "strings" ? [...(flags[name] as string[] ?? []), value] : value;
    }
  }
  if (positional.length !== positionalCount) {
    throw new UsageError(
      `expected ${positionalCount} file argument${
        positionalCount === 1 ? "" : "s"
      }, got ${positional.length}`,
    );
  }
  return { positional, flags: flags as Flags<T> };
}

/**
 * The shapes of `--input-shape 1,1760` flags, one per model input in order; throws `UsageError`
 * on anything but comma-separated whole numbers >= 0.
 */
export function parseInputShapes(values: string[]): number[][] {
  return values.map((value) => {
    const shape = value.split(",").map((size) => size.trim());
    if (!shape.every((size) => /^\d+$/.test(size))) {
      throw new UsageError(`--input-shape takes sizes like 1,1760, not ${value}`);
    }
    return shape.map(Number);
  });
}
