/** Kinds of the values a flatbuffer field or vector element holds, as the schema declares them. */
export type ValueLayout =
  | { kind: "scalar"; size: 1 | 2 | 4 | 8; base: string; enum?: string }
  | { kind: "string" }
  | { kind: "table"; table: string }
  | { kind: "union"; union: string }
  | {
    kind: "vector";
    element: Exclude<ValueLayout, { kind: "vector" } | { kind: "union" }>;
    /** `force_align`: the alignment the schema asks for the elements, when above their size. */
    align?: number;
  };

/** One field slot of a table: its schema name, the TypeScript name flatc gives it, its layout. */
export interface FieldLayout {
  name: string;
  camelName: string;
  value: ValueLayout;
  /** The declared default of a scalar field, as written in the schema. */
  defaultValue?: string;
  deprecated?: boolean;
}

/** The whole schema in the form the verifier, the plain-object codec and the enum lookups walk. */
export interface SchemaLayout {
  rootTable: string;
  fileIdentifier: string;
  /** Fields in slot order; a union field takes two slots: `NAME_type` then `NAME`. */
  tables: Record<string, FieldLayout[]>;
  /** Enum member names by value. */
  enums: Record<string, { base: string; names: Record<number, string> }>;
  /** Union members in tag order (tag 0 is NONE and not listed). */
  unions: Record<string, string[]>;
}
