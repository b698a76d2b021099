import type { ExceptionValue, Frame, SentryEvent, Stacktrace } from "../sentry/types.ts";

/**
 * Reading an event's exceptions the way an engineer does. Sentry lists `values[]` oldest → newest (the
 * last is what was finally raised) and frames caller → callee (the last frame threw). Exception groups link
 * children to parents with `mechanism.exception_id` / `parent_id`, so list order is not a chain there.
 */

export interface ChainLink {
  exception: ExceptionValue;
  /** Position in the event's `values[]`. */
  index: number;
  role: "origin" | "wrapper" | "raised" | "group" | "sibling";
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
  const isGroup = values.some(
    (v) => v.mechanism?.isExceptionGroup || (v.mechanism?.parentId ?? null) !== null,
  );

  if (isGroup) {
    // The origin of a group is its first leaf: the exception that no other exception names as parent.
    const parentIds = new Set(
      values.map((v) => v.mechanism?.parentId).filter((id) => id !== null && id !== undefined),
    );
    const leaves = values
      .map((exception, index) => ({ exception, index }))
      .filter(
        ({ exception }) =>
          !exception.mechanism?.isExceptionGroup && !parentIds.has(exception.mechanism?.exceptionId ?? -1),
      );
    const originIndex = leaves[0]?.index ?? 0;
    const links: ChainLink[] = values.map((exception, index) => ({
      exception,
      index,
      role: exception.mechanism?.isExceptionGroup ? "group" : index === originIndex ? "origin" : "sibling",
      stacktrace: stackOf(exception),
    }));
    const raised = links.find((l) => l.exception.mechanism?.exceptionId === 0) ?? links[links.length - 1]!;
    return { links, origin: links[originIndex]!, raised, isGroup: true };
  }

  // Synthetic wrappers (e.g. React's ErrorBoundary "componentStack" error) are not where things went wrong.
  const real = values
    .map((exception, index) => ({ exception, index }))
    .filter(({ exception }) => !exception.mechanism?.synthetic);
  const originIndex = (real[0] ?? { index: 0 }).index;
  const last = values.length - 1;
  const links: ChainLink[] = values.map((exception, index) => ({
    exception,
    index,
    role: index === originIndex ? "origin" : index === last ? "raised" : "wrapper",
    stacktrace: stackOf(exception),
  }));
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

/** The in-app frame closest to where the error was thrown, across the chain; null when every frame is library code. */
export function culpritFrame(event: SentryEvent, chain = exceptionChain(event)): FrameRef | null {
  const first = inAppFramesNearestThrow(primaryStack(event, chain), 1)[0];
  if (first) return first;
  for (const link of [...chain.links].reverse()) {
    const found = inAppFramesNearestThrow(link.stacktrace, 1)[0];
    if (found) return found;
  }
  return null;
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
