/**
 * A parser for the subset of the FlatBuffers schema language that `src/format/schema.fbs` uses
 * (namespace, file_identifier, enum, union, table, root_type, attributes), producing the layout
 * descriptor that the verifier, the reader and the writer walk.
 */
import type { FieldLayout, SchemaLayout, ValueLayout } from "../src/format/layout_types.ts";

const SCALARS: Record<string, 1 | 2 | 4 | 8> = {
  bool: 1,
  byte: 1,
  ubyte: 1,
  int8: 1,
  uint8: 1,
  short: 2,
  ushort: 2,
  int16: 2,
  uint16: 2,
  int: 4,
  uint: 4,
  float: 4,
  int32: 4,
  uint32: 4,
  float32: 4,
  long: 8,
  ulong: 8,
  double: 8,
  int64: 8,
  uint64: 8,
  float64: 8,
};

/** flatc's TypeScript field names: snake_case to lowerCamelCase. */
export function camelCase(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, " ").replace(/\/\/.*$/gm, "");
}

/** Parses schema text into a layout; throws on anything outside the subset it knows. */
export function parseSchema(source: string): SchemaLayout {
  const text = stripComments(source);
  const enums: SchemaLayout["enums"] = {};
  const unions: SchemaLayout["unions"] = {};
  const rawTables: Record<string, { name: string; type: string; rest: string }[]> = {};
  let rootTable = "";
  let fileIdentifier = "";

  const blockPattern =
    /(enum|union|table|struct)\s+(\w+)\s*(?:\([^)]*\))?\s*(?::\s*(\w+))?\s*\{([^}]*)\}/g;
  for (const [, kind, name, base, body] of text.matchAll(blockPattern)) {
    if (kind === "struct") throw new Error(`struct ${name}: structs are not supported`);
    if (kind === "enum") {
      const names: Record<number, string> = {};
      let next = 0;
      for (const item of body.split(",").map((s) => s.trim()).filter(Boolean)) {
        const [member, value] = item.split("=").map((s) => s.trim());
        const numeric = value === undefined ? next : Number(value);
        names[numeric] = member;
        next = numeric + 1;
      }
      enums[name] = { base: base ?? "int", names };
    } else if (kind === "union") {
      unions[name] = body.split(",").map((s) => s.trim()).filter(Boolean);
    } else {
      rawTables[name] = body.split(";").map((s) => s.trim()).filter(Boolean).map((decl) => {
        const match = /^(\w+)\s*:\s*(\[?\s*\w+\s*\]?)\s*(.*)$/.exec(decl);
        if (!match) throw new Error(`table ${name}: cannot parse field "${decl}"`);
        return { name: match[1], type: match[2].replace(/\s/g, ""), rest: match[3] };
      });
    }
  }
  rootTable = /root_type\s+(\w+)\s*;/.exec(text)?.[1] ?? "";
  fileIdentifier = /file_identifier\s+"(\w{4})"\s*;/.exec(text)?.[1] ?? "";

  function valueOf(type: string, where: string): ValueLayout {
    if (type.startsWith("[")) {
      const element = valueOf(type.slice(1, -1), where);
      if (element.kind === "vector" || element.kind === "union") {
        throw new Error(`${where}: vectors of ${element.kind}s are not supported`);
      }
      return { kind: "vector", element };
    }
    if (type === "string") return { kind: "string" };
    if (type in SCALARS) return { kind: "scalar", size: SCALARS[type], base: type };
    if (type in enums) {
      const base = enums[type].base;
      return { kind: "scalar", size: SCALARS[base], base, enum: type };
    }
    if (type in unions) return { kind: "union", union: type };
    if (type in rawTables) return { kind: "table", table: type };
    throw new Error(`${where}: unknown type ${type}`);
  }

  const tables: SchemaLayout["tables"] = {};
  for (const [tableName, fields] of Object.entries(rawTables)) {
    const slots: FieldLayout[] = [];
    for (const field of fields) {
      const value = valueOf(field.type, `${tableName}.${field.name}`);
      const forceAlign = /force_align\s*:\s*(\d+)/.exec(field.rest)?.[1];
      if (forceAlign !== undefined && value.kind === "vector") value.align = Number(forceAlign);
      const defaultValue = /^=\s*([\w.-]+)/.exec(field.rest)?.[1];
      const deprecated = /\(\s*deprecated\s*\)/.test(field.rest) || undefined;
      if (value.kind === "union") {
        const tag = `${field.name}_type`;
        slots.push({
          name: tag,
          camelName: camelCase(tag),
          value: { kind: "scalar", size: 1, base: "ubyte" },
        });
      }
      slots.push({
        name: field.name,
        camelName: camelCase(field.name),
        value,
        ...(defaultValue !== undefined ? { defaultValue } : {}),
        ...(deprecated ? { deprecated } : {}),
      });
    }
    tables[tableName] = slots;
  }
  for (const [unionName, members] of Object.entries(unions)) {
    for (const member of members) {
      if (!(member in tables)) throw new Error(`union ${unionName}: ${member} is not a table`);
    }
  }
  if (!(rootTable in tables)) throw new Error(`root_type ${rootTable} is not a table`);
  return { rootTable, fileIdentifier, tables, enums, unions };
}

/** Renders a layout as the TypeScript module `src/format/generated/schema_layout.ts`. */
export function renderLayout(layout: SchemaLayout): string {
  return [
    "// Generated by tools/gen_schema.ts from src/format/schema.fbs: do not edit.",
    'import type { SchemaLayout } from "../layout_types.ts";',
    "",
    "/** The TFLite schema's tables, enums and unions, slot by slot. */",
    `export const SCHEMA_LAYOUT: SchemaLayout = ${JSON.stringify(layout)};`,
    "",
  ].join("\n");
}
