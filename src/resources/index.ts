import { rulesResource } from "./rules.ts";
import { runViewResource } from "./run-view.ts";
import { runsResource } from "./runs.ts";
import type { ResourceTemplateDefinition } from "./types.ts";

/** Every resource template this server offers; src/server.ts registers them in this order. */
export const resources: readonly ResourceTemplateDefinition[] = [
  rulesResource,
  runsResource,
  runViewResource,
];
