import { ensureBuilt } from "./helpers/build.ts";

/** Once per `vitest run`: the spawned-server tests need an up-to-date `dist/`. */
export default function setup(): void {
  ensureBuilt();
}
