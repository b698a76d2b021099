import { s01 } from "./s01-frontend-backend-500.ts";
import { s02 } from "./s02-node-missing-guard.ts";
import { s03 } from "./s03-python-keyerror.ts";
import { s04 } from "./s04-python-none-caller.ts";
import { s05 } from "./s05-python-chained-library.ts";
import { s06 } from "./s06-java-wrapped-npe.ts";
import { s07 } from "./s07-cross-service-timeout.ts";
import { s08 } from "./s08-n-plus-one-profile.ts";
import { s09 } from "./s09-minified-sourcemapped.ts";
import { s10 } from "./s10-regression-no-suspects.ts";
import { s11 } from "./s11-culprit-outside-stack.ts";
import { s12 } from "./s12-library-only-stack.ts";
import { s13 } from "./s13-repo-not-connected.ts";
import type { CorpusScenario } from "./types.ts";

/** The root-cause corpus, in a stable order. */
export const corpus: CorpusScenario[] = [s01, s02, s03, s04, s05, s06, s07, s08, s09, s10, s11, s12, s13];
