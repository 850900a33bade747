/**
 * Which Lambda serves which API Gateway route. The stack (stacks/Api.ts) declares exactly
 * these routes, and the local runtime dispatches requests with the same table, so a route
 * that works in `npm start` is a route that exists when deployed.
 * API Gateway picks the most specific match, so `/v1/monitors/{id}/summary` reaches the
 * dashboards function even though `/v1/monitors/{proxy+}` also matches.
 */
export const apiFunctions = {
  auth: { handler: "packages/functions/src/api/auth.handler", load: () => import("./auth") },
  monitors: { handler: "packages/functions/src/api/monitors.handler", load: () => import("./monitors") },
  dashboards: { handler: "packages/functions/src/api/dashboards.handler", load: () => import("./dashboards") },
  status: { handler: "packages/functions/src/api/status.handler", load: () => import("./status") },
  docs: { handler: "packages/functions/src/api/docs.handler", load: () => import("./docs") },
} as const;

export type ApiFunctionName = keyof typeof apiFunctions;

export const apiRoutes: Record<string, ApiFunctionName> = {
  "POST /v1/auth/register": "auth",
  "POST /v1/auth/login": "auth",
  "POST /v1/auth/refresh": "auth",
  "POST /v1/auth/logout": "auth",
  "GET /v1/me": "auth",

  "ANY /v1/monitors": "monitors",
  "ANY /v1/monitors/{proxy+}": "monitors",

  "GET /v1/dashboard": "dashboards",
  "GET /v1/incidents": "dashboards",
  "GET /v1/monitors/{id}/summary": "dashboards",
  "GET /v1/monitors/{id}/results": "dashboards",
  "GET /v1/monitors/{id}/response-times": "dashboards",
  "GET /v1/monitors/{id}/incidents": "dashboards",

  "GET /v1/status/{proxy+}": "status",
  "GET /status/{slug}": "status",
  "GET /v1/demo/snapshot": "status",
  "GET /openapi.json": "docs",
  "GET /docs": "docs",
};

/** Requests matching no route get this function's 404 JSON (API Gateway's `$default` route). */
export const defaultRouteFunction: ApiFunctionName = "status";

/** Background functions: the stack wires them to the Cron and queues; the local runtime to its scheduler and pollers. */
export const backgroundFunctions = {
  tick: { handler: "packages/functions/src/schedule/tick.handler", load: () => import("../schedule/tick") },
  checkConsumer: { handler: "packages/functions/src/check/check-consumer.handler", load: () => import("../check/check-consumer") },
  alertConsumer: { handler: "packages/functions/src/alert/alert-consumer.handler", load: () => import("../alert/alert-consumer") },
  rollup: { handler: "packages/functions/src/schedule/rollup.handler", load: () => import("../schedule/rollup") },
} as const;
