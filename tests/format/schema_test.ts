import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as schema from "./generated/schema_generated.ts";
import { SCHEMA_LAYOUT } from "../../src/format/generated/schema_layout.ts";
import { dtypeCode, dtypeFromCode } from "../../src/format/dtype.ts";
import { schemaEnum } from "../../src/format/schema_enums.ts";
import { parseSchema } from "../../tools/schema_parser.ts";
import { ROOT } from "../helpers.ts";

Deno.test("the committed layout is the parse of the committed schema", () => {
  const text = readFileSync(`${ROOT}src/format/schema.fbs`, "utf8");
  assert.deepEqual(parseSchema(text), SCHEMA_LAYOUT);
});

Deno.test("layout field names are the names flatc gives the generated classes", () => {
  const classes = schema as unknown as Record<string, new () => Record<string, unknown>>;
  let checked = 0;
  for (const [table, fields] of Object.entries(SCHEMA_LAYOUT.tables)) {
    const instance = new classes[`${table}T`]();
    for (const field of fields) {
      if (field.deprecated) continue;
      assert.ok(
        field.camelName in instance,
        `${table}.${field.name} is ${field.camelName} in flatc's ${table}T`,
      );
      checked++;
    }
  }
  assert.equal(checked, 311, "every non-deprecated field of the schema");
});

Deno.test("the layout agrees with the generated enums", () => {
  for (const [name, { names }] of Object.entries(SCHEMA_LAYOUT.enums)) {
    const generated = (schema as unknown as Record<string, Record<string, number>>)[name];
    for (const [value, member] of Object.entries(names)) {
      assert.equal(generated[member], Number(value), `${name}.${member}`);
    }
  }
  const operators = SCHEMA_LAYOUT.enums.BuiltinOperator.names;
  assert.equal(operators[3], "CONV_2D");
  assert.equal(operators[209], "STABLEHLO_CASE");
  assert.equal(SCHEMA_LAYOUT.unions.BuiltinOptions.length, 126);
  assert.equal(SCHEMA_LAYOUT.unions.BuiltinOptions2.length, 23);
});

Deno.test("schema enums look up both ways as flatc's enums do", () => {
  const generated = schema as unknown as Record<string, Record<string, number>>;
  for (const name of Object.keys(SCHEMA_LAYOUT.enums)) {
    const schemaEnumType = schemaEnum(name);
    for (const [member, value] of Object.entries(generated[name])) {
      if (typeof value !== "number") continue; // flatc's reverse entries: value -> member
      assert.equal(schemaEnumType.value(member), value, `${name}.${member}`);
      assert.equal(schemaEnumType.name(value), member, `${name}[${value}]`);
    }
  }
  const operators = schemaEnum("BuiltinOperator");
  assert.equal(operators.value("NOT_AN_OPERATOR"), undefined);
  assert.equal(operators.name(-1), undefined);
  assert.throws(() => schemaEnum("Missing"), /Missing is not an enum of the schema/);
});

Deno.test("every TensorType is a dtype of the lower-case name, and back", () => {
  for (const [member, code] of Object.entries(schema.TensorType)) {
    if (typeof code !== "number") continue;
    const dtype = member.toLowerCase();
    assert.equal(dtypeFromCode(code), dtype);
    assert.equal(dtypeCode(dtype as Parameters<typeof dtypeCode>[0]), code);
  }
});

Deno.test("the schema parser refuses what it does not understand", () => {
  assert.throws(
    () => parseSchema("table A { x:Missing; } root_type A;"),
    /A.x: unknown type Missing/,
  );
  assert.throws(() => parseSchema("struct S { x:int; } root_type S;"), /structs are not supported/);
  assert.throws(() => parseSchema("table A { x:int; } root_type B;"), /root_type B is not a table/);
});
