import type { ExceptionValue, Frame, SentryEvent, Stacktrace } from "../sentry/types.ts";

/**
 * Reading an event's exceptions the way an engineer does. Sentry lists `values[]` oldest → newest (the
 * last is what was finally raised) and frames caller → callee (the last frame threw). Exception groups link
 * children to parents with `mechanism.exception_id` / `parent_id`, so list order is not a chain there.
 */

/** How an exception relates to the one it led to (its parent in Sentry's `mechanism` tree). */
type ChainRelation = "cause" | "context" | "group_member";

export interface ChainLink {
  exception: ExceptionValue;
  /** Position in the event's `values[]`. */
  index: number;
  /**
   * `origin`: where it started; `raised`: what was finally raised; `wrapper`: in between; `group`: an
   * exception group; `member`: another exception of a group.
   */
  role: "origin" | "wrapper" | "raised" | "group" | "member";
  /**
   * What this exception is to `parent`, when the SDK said (`mechanism.parent_id` and `source`): its explicit
   * cause (Python `raise … from`, JS `cause`), its context (Python's implicit chaining: the parent was raised
   * while this one was being handled) or a member of the group. Null when the SDK did not say.
   */
  relation: ChainRelation | null;
  /** Index in `values[]` of the exception this one led to or belongs to; null for the raised one or when unknown. */
  parent: number | null;
  /** Frames of this exception, from its own stacktrace or the thread it names. */
  stacktrace: Stacktrace | null;
}

export interface ExceptionChain {
  links: ChainLink[];
  origin: ChainLink | null;
  raised: ChainLink | null;
  isGroup: boolean;
}

export function exceptionChain(event: SentryEvent): ExceptionChain {
  const values = event.exceptions;
  if (values.length === 0) return { links: [], origin: null, raised: null, isGroup: false };
  const stackOf = (e: ExceptionValue) =>
    usableStack(e.stacktrace) ?? usableStack(e.rawStacktrace) ?? threadStack(event, e);
  // SDKs give every exception of a chain an `exception_id` and a `parent_id` (Python since 1.x for plain
  // `raise … from` chains too), so a parent ID alone does not make a group: only `is_exception_group` does.
  const isGroup = values.some((v) => v.mechanism?.isExceptionGroup);
  const indexById = new Map<number, number>();
  values.forEach((v, i) => {
    const id = v.mechanism?.exceptionId;
    if (id !== null && id !== undefined && !indexById.has(id)) indexById.set(id, i);
  });
  const parentOf = (v: ExceptionValue, i: number): number | null => {
    const id = v.mechanism?.parentId;
    const p = id === null || id === undefined ? undefined : indexById.get(id);
    return p === undefined || p === i ? null : p;
  };
  const relationOf = (v: ExceptionValue, parent: number | null): ChainRelation | null => {
    if (parent === null) return null;
    const source = v.mechanism?.source ?? "";
    if (values[parent]!.mechanism?.isExceptionGroup || /\[\d+\]$/.test(source)) return "group_member";
    if (source === "__context__") return "context";
    if (/^(__cause__|cause|InnerException|getCause\(\))$/i.test(source)) return "cause";
    return null;
  };

  if (isGroup) {
    // The origin of a group is its first leaf: the exception that no other exception names as parent.
    const parents = new Set(values.map((v, i) => parentOf(v, i)).filter((p) => p !== null));
    const leaves = values
      .map((exception, index) => ({ exception, index }))
      .filter(({ exception, index }) => !exception.mechanism?.isExceptionGroup && !parents.has(index));
    const originIndex = leaves[0]?.index ?? 0;
    const links: ChainLink[] = values.map((exception, index) => {
      const parent = parentOf(exception, index);
      return {
        exception,
        index,
        role: exception.mechanism?.isExceptionGroup ? "group" : index === originIndex ? "origin" : "member",
        relation: relationOf(exception, parent),
        parent,
        stacktrace: stackOf(exception),
      };
    });
    const raised = links.find((l) => l.exception.mechanism?.exceptionId === 0) ?? links[links.length - 1]!;
    return { links, origin: links[originIndex]!, raised, isGroup: true };
  }

  // Synthetic wrappers (e.g. React's ErrorBoundary "componentStack" error) are not where things went wrong.
  const real = values
    .map((exception, index) => ({ exception, index }))
    .filter(({ exception }) => !exception.mechanism?.synthetic);
  const originIndex = (real[0] ?? { index: 0 }).index;
  const last = values.length - 1;
  const links: ChainLink[] = values.map((exception, index) => {
    const parent = parentOf(exception, index);
    return {
      exception,
      index,
      role: index === originIndex ? "origin" : index === last ? "raised" : "wrapper",
      relation: relationOf(exception, parent),
      parent,
      stacktrace: stackOf(exception),
    };
  });
  return { links, origin: links[originIndex]!, raised: links[last]!, isGroup: false };
}

function usableStack(stack: Stacktrace | null): Stacktrace | null {
  return stack && stack.frames.length > 0 ? stack : null;
}

function threadStack(event: SentryEvent, exception: ExceptionValue): Stacktrace | null {
  const thread =
    (exception.threadId !== null && event.threads.find((t) => t.id === exception.threadId)) ||
    event.threads.find((t) => t.crashed) ||
    null;
  return usableStack(thread?.stacktrace ?? null);
}

/** The frames to read for this event: the origin's, else the raised one's, else a crashed thread's or a message stack. */
export function primaryStack(event: SentryEvent, chain = exceptionChain(event)): Stacktrace | null {
  const fromChain =
    chain.origin?.stacktrace ?? chain.links.map((l) => l.stacktrace).find((s) => s !== null) ?? null;
  if (fromChain) return fromChain;
  const crashed = event.threads.find((t) => t.crashed) ?? event.threads.find((t) => t.current);
  return usableStack(crashed?.stacktrace ?? null) ?? usableStack(event.stacktrace);
}

export interface FrameRef {
  frame: Frame;
  /** Index in the stack's frames (caller → callee). */
  index: number;
  /** 0 = the throw site; 1 = its caller; … */
  distanceFromThrow: number;
}

/** In-app frames nearest the throw site first. */
export function inAppFramesNearestThrow(
  stack: Stacktrace | null,
  limit = Number.POSITIVE_INFINITY,
): FrameRef[] {
  if (!stack) return [];
  const out: FrameRef[] = [];
  const n = stack.frames.length;
  for (let i = n - 1; i >= 0 && out.length < limit; i--) {
    const frame = stack.frames[i]!;
    if (frame.inApp) out.push({ frame, index: i, distanceFromThrow: n - 1 - i });
  }
  return out;
}

/**
 * The stack to show a reader: the primary stack when it holds application frames; otherwise the stack of the
 * exception nearest the origin that does, walking from the origin towards what was raised (by parent links
 * where the SDK gave them, else in list order). A psycopg `UniqueViolation` has only library frames; the
 * `IntegrityError` raised from it holds the application's call. `link` is null when the primary stack is
 * shown (or no exception has in-app frames).
 */
export function inAppStack(
  event: SentryEvent,
  chain = exceptionChain(event),
): { stack: Stacktrace | null; link: ChainLink | null } {
  const primary = primaryStack(event, chain);
  if (inAppFramesNearestThrow(primary, 1).length > 0 || !chain.origin) return { stack: primary, link: null };
  for (const link of towardsRaised(chain)) {
    if (link.stacktrace !== primary && inAppFramesNearestThrow(link.stacktrace, 1).length > 0)
      return { stack: link.stacktrace, link };
  }
  return { stack: primary, link: null };
}

/** The origin, then what it led to, up to the raised exception; then every other link in list order. */
function towardsRaised(chain: ExceptionChain): ChainLink[] {
  const out: ChainLink[] = [];
  const seen = new Set<number>();
  const byIndex = new Map(chain.links.map((l) => [l.index, l]));
  const hasParents = chain.links.some((l) => l.parent !== null);
  let at: ChainLink | undefined = chain.origin ?? undefined;
  while (at && !seen.has(at.index)) {
    out.push(at);
    seen.add(at.index);
    at = hasParents
      ? at.parent !== null
        ? byIndex.get(at.parent)
        : undefined
      : chain.links.find((l) => l.index > at!.index && !seen.has(l.index));
  }
  for (const l of chain.links) if (!seen.has(l.index)) out.push(l);
  return out;
}

/** The in-app frame closest to where the error was thrown, in the stack a reader is shown; null when every frame is library code. */
export function culpritFrame(event: SentryEvent, chain = exceptionChain(event)): FrameRef | null {
  return inAppFramesNearestThrow(inAppStack(event, chain).stack, 1)[0] ?? null;
}

export function frameLocation(frame: Frame): string {
  const file = frame.filename ?? frame.absPath ?? frame.module ?? frame.package ?? "<unknown file>";
  return frame.lineNo !== null
    ? `${file}:${frame.lineNo}${frame.colNo !== null ? `:${frame.colNo}` : ""}`
    : file;
}

export function exceptionLabel(e: ExceptionValue): string {
  const type = e.type ?? "Error";
  return e.value ? `${type}: ${e.value}` : type;
}
