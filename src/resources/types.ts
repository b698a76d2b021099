import type { ReadResourceResult, Resource } from "@modelcontextprotocol/server";
import type { Context } from "../context.ts";

/** What a resource file exports: a URI template, how to list its instances, and how to read one. */
export interface ResourceTemplateDefinition {
  name: string;
  /** RFC 6570 template, e.g. `autofix://rules/{repo}/{+path}`. */
  uriTemplate: string;
  metadata: { title: string; description: string; mimeType?: string };
  list(context: Context): Promise<Resource[]>;
  read(uri: URL, variables: Record<string, string | string[]>, context: Context): Promise<ReadResourceResult>;
}
