import type { Client } from "@modelcontextprotocol/client";
import { encode } from "gpt-tokenizer/encoding/cl100k_base";

/** What tools/list costs a client that puts it in the model's context: cl100k tokens of the JSON result. */
export async function toolsListTokens(client: Client): Promise<{ tokens: number; chars: number }> {
  const json = JSON.stringify(await client.listTools());
  return { tokens: encode(json).length, chars: json.length };
}

/** The budget the contract test holds tools/list to (issue 15). */
export const TOOLS_LIST_BUDGET = 4_000;
