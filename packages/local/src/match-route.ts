/**
 * API Gateway (HTTP API) route selection, as a pure function so it can be tested without a server.
 * Among the routes that match, the most specific wins: comparing segment by segment from the left,
 * a literal beats `{param}`, which beats `{proxy+}`; on equal paths a method route beats `ANY`.
 * `{param}` matches exactly one non-empty segment; `{proxy+}` (last only) matches one or more.
 */

export interface RouteMatch<T> {
  /** The matched route key, e.g. "GET /v1/monitors/{id}/summary" (API Gateway's routeKey). */
  routeKey: string;
  target: T;
  pathParameters: Record<string, string>;
}

type Segment = { kind: "literal"; value: string } | { kind: "param"; name: string } | { kind: "greedy"; name: string };

const rank = { literal: 0, param: 1, greedy: 2 } as const;

function parseRouteKey(key: string): { method: string; segments: Segment[] } {
  const space = key.indexOf(" ");
  if (space < 0) throw new Error(`Route key "${key}" is not "METHOD /path"`);
  const method = key.slice(0, space).toUpperCase();
  const path = key.slice(space + 1);
  if (!path.startsWith("/")) throw new Error(`Route key "${key}" has a path that does not start with /`);
  const parts = path.split("/").slice(1);
  const segments = parts.map((part, i): Segment => {
    const greedy = /^\{([^{}]+)\+\}$/.exec(part);
    if (greedy) {
      if (i !== parts.length - 1) throw new Error(`Route key "${key}": a greedy variable must be the last segment`);
      return { kind: "greedy", name: greedy[1] };
    }
    const param = /^\{([^{}]+)\}$/.exec(part);
    return param ? { kind: "param", name: param[1] } : { kind: "literal", value: part };
  });
  return { method, segments };
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Ranks per route segment, or undefined when the route does not match the path. */
function matchSegments(segments: Segment[], parts: string[]): { ranks: number[]; params: Record<string, string> } | undefined {
  const params: Record<string, string> = {};
  const ranks: number[] = [];
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    if (seg.kind === "greedy") {
      const rest = parts.slice(i);
      if (rest.length === 0 || rest.join("/") === "") return undefined;
      params[seg.name] = decode(rest.join("/"));
      ranks.push(rank.greedy);
      return { ranks, params };
    }
    if (i >= parts.length) return undefined;
    if (seg.kind === "literal") {
      if (seg.value !== parts[i]) return undefined;
    } else {
      if (parts[i] === "") return undefined;
      params[seg.name] = decode(parts[i]);
    }
    ranks.push(rank[seg.kind]);
  }
  return segments.length === parts.length ? { ranks, params } : undefined;
}

function compareRanks(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return a[i] - b[i];
  }
  return a.length - b.length;
}

/** Pick the route API Gateway would invoke for `method path` (path without query string), or undefined ($default). */
export function matchRoute<T>(routes: Record<string, T>, method: string, path: string): RouteMatch<T> | undefined {
  const m = method.toUpperCase();
  const parts = path.split("/").slice(1);
  let best: { routeKey: string; target: T; ranks: number[]; methodRank: number; params: Record<string, string> } | undefined;
  for (const [routeKey, target] of Object.entries(routes)) {
    const route = parseRouteKey(routeKey);
    if (route.method !== m && route.method !== "ANY") continue;
    const hit = matchSegments(route.segments, parts);
    if (!hit) continue;
    const methodRank = route.method === "ANY" ? 1 : 0;
    const cmp = best ? compareRanks(hit.ranks, best.ranks) || methodRank - best.methodRank : -1;
    if (cmp < 0) best = { routeKey, target, ranks: hit.ranks, methodRank, params: hit.params };
  }
  return best && { routeKey: best.routeKey, target: best.target, pathParameters: best.params };
}
