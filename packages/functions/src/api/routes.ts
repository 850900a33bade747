/**
 * Which Lambda serves which API Gateway route. The stack (stacks/Api.ts) declares exactly
 * these routes, and the local runtime dispatches requests with the same table, so a route
 * that works in `npm start` is a route that exists when deployed.
 * Only handler paths live here, no imports of the handlers: sst.config.ts bundles this file, and
 * importing the handlers would drag every function's code into the deploy-time config.
 * API Gateway picks the most specific match, so `/v1/monitors/{id}/summary` reaches the
 * dashboards function even though `/v1/monitors/{proxy+}` also matches.
 */
export const apiFunctions = {
  auth: { handler: "packages/functions/src/api/auth.handler" },
  monitors: { handler: "packages/functions/src/api/monitors.handler" },
  alertRecipients: { handler: "packages/functions/src/api/alert-recipients.handler" },
  dashboards: { handler: "packages/functions/src/api/dashboards.handler" },
  apiKeys: { handler: "packages/functions/src/api/api-keys.handler" },
  statusPages: { handler: "packages/functions/src/api/status-pages.handler" },
  orgs: { handler: "packages/functions/src/api/orgs.handler" },
  status: { handler: "packages/functions/src/api/status.handler" },
  publicPages: { handler: "packages/functions/src/api/public-pages.handler" },
  docs: { handler: "packages/functions/src/api/docs.handler" },
  channels: { handler: "packages/functions/src/api/channels.handler" },
  ping: { handler: "packages/functions/src/api/ping.handler" },
} as const;

export type ApiFunctionName = keyof typeof apiFunctions;

export const apiRoutes: Record<string, ApiFunctionName> = {
  "POST /v1/auth/register": "auth",
  "POST /v1/auth/login": "auth",
  "POST /v1/auth/refresh": "auth",
  "POST /v1/auth/logout": "auth",
  "POST /v1/auth/password": "auth",
  "POST /v1/auth/password-reset": "auth",
  "POST /v1/auth/password-reset/confirm": "auth",
  "GET /v1/me": "auth",
  "DELETE /v1/me": "auth",

  "ANY /v1/monitors": "monitors",
  "ANY /v1/monitors/{proxy+}": "monitors",
  "POST /v1/monitor-test": "monitors",

  "GET /v1/org/api-keys": "apiKeys",
  "POST /v1/org/api-keys": "apiKeys",
  "DELETE /v1/org/api-keys/{keyId}": "apiKeys",

  "GET /v1/alert-recipients": "alertRecipients",
  "GET /v1/alert-recipients/confirm": "alertRecipients",
  "POST /v1/alert-recipients/confirm": "alertRecipients",

  "GET /v1/orgs": "orgs",
  "POST /v1/orgs": "orgs",
  "GET /v1/org": "orgs",
  "PATCH /v1/org": "orgs",
  "DELETE /v1/org": "orgs",
  "POST /v1/org/transfer": "orgs",
  "POST /v1/org/leave": "orgs",
  "GET /v1/org/members": "orgs",
  "PATCH /v1/org/members/{userId}": "orgs",
  "DELETE /v1/org/members/{userId}": "orgs",
  "GET /v1/org/invitations": "orgs",
  "POST /v1/org/invitations": "orgs",
  "DELETE /v1/org/invitations/{invitationId}": "orgs",
  "POST /v1/invitations/accept": "orgs",
  "POST /v1/invitations/preview": "orgs",
  "GET /v1/org/audit": "orgs",

  "GET /v1/dashboard": "dashboards",
  "GET /v1/incidents": "dashboards",
  "GET /v1/monitors/{id}/summary": "dashboards",
  "GET /v1/monitors/{id}/results": "dashboards",
  "GET /v1/monitors/{id}/response-times": "dashboards",
  "GET /v1/monitors/{id}/response-times/checks": "dashboards",
  "GET /v1/monitors/{id}/incidents": "dashboards",

  "ANY /v1/status-pages": "statusPages",
  "ANY /v1/status-pages/{proxy+}": "statusPages",

  "GET /v1/status/{proxy+}": "status",
  "GET /status/{slug}": "publicPages",
  "ANY /status/{slug}/{proxy+}": "publicPages",
  "GET /v1/status-pages/{pageId}/subscribers/count": "publicPages",
  "GET /v1/demo/snapshot": "status",
  "ANY /v1/channels": "channels",
  "ANY /v1/channels/{proxy+}": "channels",
  "POST /v1/incidents/{id}/acknowledge": "channels",
  "GET /v1/incidents/{id}/ack": "channels",
  "POST /v1/incidents/{id}/ack": "channels",

  // Heartbeat pings: public, the token is the credential (packages/core/src/heartbeat/ping.ts).
  "ANY /ping/{token}": "ping",
  "ANY /ping/{token}/{signal}": "ping",

  "GET /openapi.json": "docs",
  "GET /docs": "docs",
};

/** Requests matching no route get this function's 404 JSON (API Gateway's `$default` route). */
export const defaultRouteFunction: ApiFunctionName = "status";

/** Background functions: the stack wires them to the Cron and queues; the local runtime to its scheduler and pollers. */
export const backgroundFunctions = {
  tick: { handler: "packages/functions/src/schedule/tick.handler" },
  checkConsumer: { handler: "packages/functions/src/check/check-consumer.handler" },
  alertConsumer: { handler: "packages/functions/src/alert/alert-consumer.handler" },
  rollup: { handler: "packages/functions/src/schedule/rollup.handler" },
  sesFeedback: { handler: "packages/functions/src/alert/ses-feedback.handler" },
  channelDelivery: { handler: "packages/functions/src/alert/channel-delivery.handler" },
} as const;
