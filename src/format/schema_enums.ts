/**
 * The schema's enums both ways, read from the generated layout: a member's name by its value and
 * its value by its name. They stand in for flatc's TypeScript enums, whose bindings (and the
 * `flatbuffers` package behind them) the library does not load.
 */
import { SCHEMA_LAYOUT } from "./generated/schema_layout.ts";

/** One enum of the schema. */
export class SchemaEnum {
  private readonly names: Record<number, string>;
  private readonly values = new Map<string, number>();

  /** The enum named `enumType` in `schema.fbs`; throws `TypeError` if the schema has none. */
  constructor(readonly enumType: string) {
    const layout = SCHEMA_LAYOUT.enums[enumType];
    if (layout === undefined) throw new TypeError(`${enumType} is not an enum of the schema`);
    this.names = layout.names;
    for (const [value, name] of Object.entries(this.names)) this.values.set(name, Number(value));
  }

  /** The name of the member with this value, or undefined if there is none. */
  name(value: number): string | undefined {
    return this.names[value];
  }

  /** The value of the member named `name`, or undefined if there is none. */
  value(name: string): number | undefined {
    return this.values.get(name);
  }
}

const byType = new Map<string, SchemaEnum>();

/** The enum named `enumType`, built once. */
export function schemaEnum(enumType: string): SchemaEnum {
  let found = byType.get(enumType);
  if (found === undefined) {
    found = new SchemaEnum(enumType);
    byType.set(enumType, found);
  }
  return found;
}
