import type { z } from "zod";
import type { Context, StageContext } from "./context.ts";

/**
 * What a tool file exports: a name, model-facing text, schemas, annotations and a thin handler. Handlers
 * return markdown for the model and, when the tool declares an output schema, the structured result.
 */
interface ToolAnnotations {
  readOnlyHint: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

/** A tool call's context: the process's dependencies, and what a stage needs (its signal and progress). */
export interface ToolCallContext extends Context, StageContext {
  /** Names of the tools this server registered, so output only suggests calls that exist. */
  toolNames: ReadonlySet<string>;
}

interface ToolResult<S = Record<string, unknown>> {
  markdown: string;
  structured?: S;
}

interface ToolDefinition<I extends z.ZodRawShape = z.ZodRawShape, O extends z.ZodRawShape = z.ZodRawShape> {
  name: string;
  title: string;
  description: string;
  inputSchema: I;
  /**
   * What the tool does, for people: its row in the README's tool table (npm run readme writes it). Longer
   * than the description, which is for the model; not sent in tools/list.
   */
  summary: string;
  /** A valid call, quoted when a call's arguments do not match the input schema; not sent in tools/list. */
  example: z.input<z.ZodObject<I>>;
  outputSchema?: O;
  /**
   * The nested output fields tools/list spells out, by top-level field (see src/tool-listing.ts): the ones
   * the public contract names. Every top-level field is listed with its type regardless.
   */
  outline?: Readonly<Record<string, readonly string[]>>;
  annotations: ToolAnnotations;
  /**
   * The MCP Apps view (a `ui://` resource, src/resources/run-view.ts) that hosts which render apps show the
   * result in; listed as `_meta.ui.resourceUri`. Other clients ignore it and show the markdown.
   */
  ui?: string;
  /**
   * An analysis (CPU- and upstream-heavy): runs within the process's and the session's limits on analyses
   * at once (src/context.ts), waiting its turn within the call's deadline.
   */
  analysis?: boolean;
  handler(input: z.infer<z.ZodObject<I>>, ctx: ToolCallContext): Promise<ToolResult<z.infer<z.ZodObject<O>>>>;
}

/** Keeps the input type inferred from the schema at the definition site. */
export function defineTool<I extends z.ZodRawShape, O extends z.ZodRawShape>(
  tool: ToolDefinition<I, O>,
): ToolDefinition<I, O> {
  return tool;
}

/** Registries hold tools of many shapes; this erases the parameters for the loop in server.ts. */
// biome-ignore lint/suspicious/noExplicitAny: the registry is heterogeneous by design
export type AnyTool = ToolDefinition<any, any>;
