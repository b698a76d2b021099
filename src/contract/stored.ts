import { z } from "zod";
import { configError } from "../errors.ts";
import { type HandoffOutput, handoffOutputShape } from "./handoff.ts";
import { type RootCauseOutput, rootCauseOutputShape } from "./root-cause.ts";
import { type SolutionOutput, solutionOutputShape } from "./solution.ts";

/**
 * Stage outputs read back from the run store. The store keeps them as JSON it knows nothing about; each is
 * checked against the contract its stage produced before anything relies on its shape.
 */
interface StageOutputs {
  root_cause: RootCauseOutput;
  solution: SolutionOutput;
  handoff: HandoffOutput;
}

const schemas: { [S in keyof StageOutputs]: z.ZodType } = {
  root_cause: z.object(rootCauseOutputShape),
  solution: z.object(solutionOutputShape),
  handoff: z.object(handoffOutputShape),
};

/** The output if it matches its stage's contract, else null. The value itself is returned, not a copy. */
export function checkedOutput<S extends keyof StageOutputs>(
  stage: S,
  output: unknown,
): StageOutputs[S] | null {
  return schemas[stage].safeParse(output).success ? (output as StageOutputs[S]) : null;
}

/** The output of a stage, which must match its contract: a run stored by another version may not. */
export function storedOutput<S extends keyof StageOutputs>(
  runId: string,
  stage: S,
  output: unknown,
): StageOutputs[S] {
  const checked = checkedOutput(stage, output);
  if (checked) return checked;
  throw configError(
    `the stored ${stage.replace("_", " ")} of run ${runId} does not match what this version of autofix-mcp reads.`,
    "The run was probably stored by another version: start a new one with analyze_root_cause.",
  );
}
