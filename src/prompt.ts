import type { GetPromptResult } from "@modelcontextprotocol/server";
import type { z } from "zod";
import type { Context } from "./context.ts";

/** What a prompt file exports: a name, its argument schema, and a renderer. */
export interface PromptDefinition {
  name: string;
  config: { title: string; description: string; argsSchema?: Record<string, z.ZodType<string | undefined>> };
  render(
    args: Record<string, string | undefined>,
    context: Context,
  ): Promise<GetPromptResult> | GetPromptResult;
  /** Argument completions (MCP completion/complete): argument name → suggestions for a typed prefix. */
  complete?: Record<string, (value: string, context: Context) => Promise<string[]>>;
}
