import type { ApiFunctionName, backgroundFunctions } from "@uptime/functions/api/routes";

type Loader = () => Promise<unknown>;

/**
 * How the local runtime loads each function named in routes.ts. `satisfies` makes adding a
 * function to the route table without a loader here a type error.
 */
export const apiLoaders = {
  auth: () => import("@uptime/functions/api/auth"),
  monitors: () => import("@uptime/functions/api/monitors"),
  alertRecipients: () => import("@uptime/functions/api/alert-recipients"),
  dashboards: () => import("@uptime/functions/api/dashboards"),
  apiKeys: () => import("@uptime/functions/api/api-keys"),
  statusPages: () => import("@uptime/functions/api/status-pages"),
  orgs: () => import("@uptime/functions/api/orgs"),
  status: () => import("@uptime/functions/api/status"),
  publicPages: () => import("@uptime/functions/api/public-pages"),
  docs: () => import("@uptime/functions/api/docs"),
  channels: () => import("@uptime/functions/api/channels"),
  ping: () => import("@uptime/functions/api/ping"),
} satisfies Record<ApiFunctionName, Loader>;

export const backgroundLoaders = {
  tick: () => import("@uptime/functions/schedule/tick"),
  checkConsumer: () => import("@uptime/functions/check/check-consumer"),
  alertConsumer: () => import("@uptime/functions/alert/alert-consumer"),
  rollup: () => import("@uptime/functions/schedule/rollup"),
  sesFeedback: () => import("@uptime/functions/alert/ses-feedback"),
  channelDelivery: () => import("@uptime/functions/alert/channel-delivery"),
} satisfies Record<keyof typeof backgroundFunctions, Loader>;
