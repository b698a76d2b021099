import { NotFoundError } from "../errors.ts";
import type { SentryClient } from "./client.ts";
import { arr, isObj, isoTime, type Json, obj, pick, str, text } from "./lenient.ts";
import { normalizeRelease } from "./normalize-issue.ts";
import { enc } from "./paths.ts";
import type { ReleaseRef } from "./types.ts";

/** Releases, their commits, and Sentry's suspect commits for an event. */

export interface ReleaseDetails extends ReleaseRef {
  lastDeploy: { environment: string | null; dateFinished: string | null } | null;
  firstEvent: string | null;
}

export interface CommitRef {
  sha: string;
  subject: string | null;
  message: string | null;
  author: string | null;
  email: string | null;
  date: string | null;
  repository: string | null;
  /** How Sentry found it: "via SCM integration" (blame) or "via commit in release" (path match). */
  suspectType: string | null;
  pullRequestUrl: string | null;
}

export async function fetchRelease(
  sentry: SentryClient,
  org: string,
  version: string,
  signal?: AbortSignal,
): Promise<ReleaseDetails | null> {
  try {
    const res = await sentry.getJson(org, `/organizations/${enc(org)}/releases/${enc(version)}/`, {}, signal);
    const base = normalizeRelease(res.body);
    if (!base) return null;
    const body = obj(res.body);
    const deploy = isObj(body.lastDeploy) ? body.lastDeploy : null;
    return {
      ...base,
      lastDeploy: deploy
        ? {
            environment: text(deploy.environment),
            dateFinished: isoTime(pick(deploy, "dateFinished", "dateStarted")),
          }
        : null,
      firstEvent: isoTime(body.firstEvent),
    };
  } catch (error) {
    if (error instanceof NotFoundError) return null;
    throw error;
  }
}

export async function fetchReleaseCommits(
  sentry: SentryClient,
  org: string,
  version: string,
  signal?: AbortSignal,
): Promise<CommitRef[]> {
  try {
    const res = await sentry.getJson(
      org,
      `/organizations/${enc(org)}/releases/${enc(version)}/commits/`,
      {},
      signal,
    );
    return arr(res.body).filter(isObj).map(normalizeCommit);
  } catch (error) {
    if (error instanceof NotFoundError) return [];
    throw error;
  }
}

/** Suspect commits. A 404 is Sentry's way of saying "none" (no release, no commits), not an error. */
export async function fetchSuspectCommits(
  sentry: SentryClient,
  org: string,
  project: string,
  eventId: string,
  signal?: AbortSignal,
): Promise<CommitRef[]> {
  try {
    const res = await sentry.getJson(
      org,
      `/projects/${enc(org)}/${enc(project)}/events/${enc(eventId)}/committers/`,
      {},
      signal,
    );
    const out: CommitRef[] = [];
    for (const committer of arr(obj(res.body).committers).filter(isObj)) {
      const author = obj(committer.author);
      for (const commit of arr(committer.commits).filter(isObj)) {
        const c = normalizeCommit(commit);
        out.push({ ...c, author: c.author ?? text(author.name), email: c.email ?? text(author.email) });
      }
    }
    return out;
  } catch (error) {
    if (error instanceof NotFoundError) return [];
    throw error;
  }
}

function normalizeCommit(c: Json): CommitRef {
  const message = str(c.message);
  const author = obj(c.author);
  const pr = obj(c.pullRequest);
  return {
    sha: str(pick(c, "id", "sha")) ?? "",
    subject: message ? (message.split("\n")[0] ?? null) : null,
    message,
    author: text(author.name) ?? text(author.username),
    email: text(author.email),
    date: isoTime(c.dateCreated),
    repository: text(obj(c.repository).name),
    suspectType: text(c.suspectCommitType),
    pullRequestUrl: text(pr.externalUrl),
  };
}
