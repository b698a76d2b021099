import type { Tool } from "@modelcontextprotocol/server";
import { z } from "zod";
import type { AnyTool } from "./tool.ts";

/**
 * What `tools/list` says about a tool. Many clients put the whole list in the model's context on every turn,
 * so it is kept small: the input schema in full (it is what the model writes), and an outline of the output
 * schema — every top-level field with its type, the nested fields named in the tool's `outline` (the public
 * contract) with theirs, and everything else open. Results are still checked against the full schema.
 */
export function listTool(tool: AnyTool): Tool {
  let entry = listed.get(tool);
  if (!entry) {
    entry = buildEntry(tool);
    listed.set(tool, entry);
  }
  return entry;
}

/** Converting schemas takes milliseconds; a tool's entry never changes, so each is built once per process. */
const listed = new WeakMap<AnyTool, Tool>();

function buildEntry(tool: AnyTool): Tool {
  return {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: listedInput(tool),
    ...(tool.outputSchema ? { outputSchema: outlineOutput(tool) } : {}),
    annotations: tool.annotations,
    ...(tool.ui ? { _meta: { ui: { resourceUri: tool.ui } } } : {}),
  } as Tool;
}

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  enum?: unknown[];
  required?: string[];
  description?: string;
  [key: string]: unknown;
};

function outlineOutput(tool: AnyTool): JsonSchema {
  const full = z.toJSONSchema(z.object(tool.outputSchema), {
    io: "output",
    target: "draft-07",
  }) as JsonSchema;
  const outline: Readonly<Record<string, readonly string[]>> = tool.outline ?? {};
  for (const name of Object.keys(outline)) {
    if (!full.properties?.[name]) throw new Error(`${tool.name}: outline names ${name}, not an output field`);
  }
  const properties: Record<string, JsonSchema> = {};
  for (const [name, schema] of Object.entries(full.properties ?? {})) {
    const keep = outline[name];
    properties[name] = keep ? spelledOut(schema, keep, `${tool.name}.${name}`) : typeOf(schema);
  }
  return { type: "object", properties };
}

/** Just the type: `{"type": "array"}`, `{"type": ["string", "null"]}`, with an enum's values. */
function typeOf(schema: JsonSchema): JsonSchema {
  const nullable = nonNull(schema);
  const type = nullable?.value.type;
  if (!nullable || type === undefined) return {};
  const { value, orNull } = nullable;
  const out: JsonSchema = { type: orNull ? [type, "null"].flat() : type };
  if (value.enum) out.enum = orNull ? [...value.enum, null] : value.enum;
  return out;
}

/** An object, or an array of objects, with the `keep` fields by type (and arrays of primitives by item type). */
function spelledOut(schema: JsonSchema, keep: readonly string[], where: string): JsonSchema {
  const value = nonNull(schema)?.value;
  const isArray = value?.type === "array";
  const object = isArray ? value.items : value;
  if (!object?.properties) throw new Error(`${where}: outlined, but not an object or an array of objects`);
  const properties: Record<string, JsonSchema> = {};
  for (const name of keep) {
    const field = object.properties[name];
    if (!field) throw new Error(`${where}: outline names ${name}, which is not a field there`);
    const items = nonNull(field)?.value.items;
    properties[name] = items ? { ...typeOf(field), items: typeOf(items) } : typeOf(field);
  }
  return isArray
    ? { ...typeOf(schema), items: { type: "object", properties } }
    : { ...typeOf(schema), properties };
}

/** zod writes `T | null` as `anyOf: [T, {type: "null"}]` for objects and enums, and as a type list otherwise. */
function nonNull(schema: JsonSchema): { value: JsonSchema; orNull: boolean } | null {
  if (!schema.anyOf) return { value: schema, orNull: false };
  const [value, other] = schema.anyOf;
  return schema.anyOf.length === 2 && value && other?.type === "null" ? { value, orNull: true } : null;
}

/**
 * The input schema as a model needs it to write a call. String length limits and the safe-integer bounds zod
 * adds to every integer are left out: they only guard the server against oversized input, which it still
 * rejects with a message saying what to change.
 */
function listedInput(tool: AnyTool): JsonSchema {
  const { $schema: _dialect, ...schema } = z.toJSONSchema(z.object(tool.inputSchema), {
    io: "input",
    target: "draft-07",
  }) as JsonSchema;
  return withoutGuards(schema);
}

function withoutGuards(schema: JsonSchema): JsonSchema {
  const out: JsonSchema = { ...schema };
  if (out.type === "string") {
    delete out.minLength;
    delete out.maxLength;
  }
  if (out.maximum === Number.MAX_SAFE_INTEGER) delete out.maximum;
  if (out.minimum === Number.MIN_SAFE_INTEGER) delete out.minimum;
  if (out.properties) {
    out.properties = Object.fromEntries(
      Object.entries(out.properties).map(([name, field]) => [name, withoutGuards(field)]),
    );
  }
  if (out.items) out.items = withoutGuards(out.items);
  if (out.anyOf) out.anyOf = out.anyOf.map(withoutGuards);
  return out;
}
