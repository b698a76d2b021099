import type { Logger } from "../log.ts";
import type { SentryClient } from "../sentry/client.ts";
import { fetchStacktraceLink } from "../sentry/code-mappings.ts";
import type { Frame } from "../sentry/types.ts";
import { mapFrame } from "./mapping.ts";
import type { ProjectRepository, RepositoryRegistry } from "./repositories.ts";

/**
 * The files behind an event's frames: pick the project's repositories, read each at the event's release
 * commit when the repository has it (else its default branch), map every frame, and ask Sentry's
 * `stacktrace-link` about in-app frames nothing matched. Unresolved frames stay unresolved, with the reason.
 */

export interface FrameLocation {
  /** Index into the frames passed in. */
  frame: number;
  repo: string | null;
  path: string | null;
  candidates: string[];
  reason: string;
  /** The repository whose files `candidates` are, when the frame matched several of them. */
  within?: string;
}

export interface RepoRef {
  repo: string;
  ref: string;
  sha: string | null;
  fromRelease: boolean;
}

interface LocateInput {
  org: string | null;
  project: string;
  frames: Frame[];
  release?: { version?: string | null; commit?: string | null } | null;
}

const MAX_LINK_LOOKUPS = 5;

type Loaded = { entry: ProjectRepository; ref: RepoRef; files: string[] };

export async function locateFrames(
  deps: { repos: RepositoryRegistry; sentry: SentryClient; logger: Logger },
  input: LocateInput,
  signal?: AbortSignal,
): Promise<{ frames: FrameLocation[]; refs: RepoRef[]; notes: string[] }> {
  const { repositories, notes } = await deps.repos.forProject(input.org, input.project, signal);
  const loaded: Loaded[] = [];
  await Promise.all(
    repositories.map(async (entry) => {
      try {
        const ref = await pickRef(entry, input.release ?? null, signal);
        const files = await entry.repo.host.listFiles(ref.sha ?? ref.ref, signal);
        loaded.push({ entry, ref, files });
      } catch (error) {
        deps.logger.warn("repository unavailable for frame mapping", { repo: entry.repo.name, error });
        notes.push(`${entry.repo.name} could not be read: ${(error as Error).message}`);
      }
    }),
  );
  // Repositories Sentry maps explicitly are asked first.
  loaded.sort((a, b) => b.entry.mappings.length - a.entry.mappings.length);
  const frames = input.frames.map((frame, i) => locateFrame(frame, i, loaded));
  const org = input.org;
  if (org && loaded.length > 0) await askSentryLinks(deps.sentry, org, input, frames, loaded, signal);
  return { frames, refs: loaded.map((l) => l.ref), notes };
}

/** The first repository file the frame maps to; else the first open answer (with the files it matched). */
function locateFrame(frame: Frame, i: number, loaded: Loaded[]): FrameLocation {
  let first: FrameLocation | null = null;
  for (const { entry, files } of loaded) {
    const prefix = entry.repo.pathPrefix ? { pathPrefix: entry.repo.pathPrefix } : {};
    // Each of Sentry's stack roots in turn, then plain suffix matching.
    const hints = [
      ...entry.mappings.map((m) => ({ stackRoot: m.stackRoot, sourceRoot: m.sourceRoot, ...prefix })),
      prefix,
    ];
    for (const hint of hints) {
      const m = mapFrame(frame, files, hint);
      if (m.path) return { frame: i, repo: entry.repo.name, ...m };
      first ??= {
        frame: i,
        repo: null,
        ...m,
        ...(m.candidates.length > 1 ? { within: entry.repo.name } : {}),
      };
    }
  }
  return (
    first ?? {
      frame: i,
      repo: null,
      path: null,
      candidates: [],
      reason: "no repository is connected for this project",
    }
  );
}

/** In-app frames still open (a few): Sentry's stacktrace-link may know their file. Settles them in place. */
async function askSentryLinks(
  sentry: SentryClient,
  org: string,
  input: LocateInput,
  frames: FrameLocation[],
  loaded: Loaded[],
  signal?: AbortSignal,
): Promise<void> {
  const open = frames.filter((f) => !f.path && input.frames[f.frame]!.inApp).slice(0, MAX_LINK_LOOKUPS);
  await Promise.all(
    open.map(async (location) => {
      const frame = input.frames[location.frame]!;
      const target = loaded[0]!;
      const link = await fetchStacktraceLink(sentry, org, input.project, frame, target.ref.sha, signal).catch(
        () => null,
      );
      if (!link) return;
      const hit = loaded.find(
        (l) =>
          [l.entry.repo.name, l.entry.repo.github].some(
            (n) => n?.toLowerCase() === link.repoName?.toLowerCase(),
          ) && l.files.includes(link.sourcePath),
      );
      if (!hit) return;
      Object.assign(location, {
        repo: hit.entry.repo.name,
        path: link.sourcePath,
        candidates: [link.sourcePath],
        reason: "Sentry's stacktrace-link",
      });
    }),
  );
}

async function pickRef(
  entry: ProjectRepository,
  release: { version?: string | null; commit?: string | null } | null,
  signal?: AbortSignal,
): Promise<RepoRef> {
  const host = entry.repo.host;
  const fromVersion = /(?:^|[@+\-_/])([0-9a-f]{7,40})$/i.exec(release?.version ?? "")?.[1];
  for (const candidate of [release?.commit, fromVersion]) {
    if (!candidate) continue;
    const sha = await host.resolveRef(candidate, signal).catch(() => null);
    if (sha) return { repo: entry.repo.name, ref: candidate, sha, fromRelease: true };
  }
  const branch =
    entry.repo.defaultBranch ?? entry.mappings[0]?.defaultBranch ?? (await host.defaultBranch(signal));
  return {
    repo: entry.repo.name,
    ref: branch,
    sha: await host.resolveRef(branch, signal),
    fromRelease: false,
  };
}
