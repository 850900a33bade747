import type { TestStack } from "@uptime/local/testing";
import type { TestUser } from "./test-users";

/** A monitor created through the API, after the first check its creation queued has run. */
export async function createMonitor(stack: TestStack, user: TestUser, body: Record<string, unknown>) {
  const res = await user.call("POST", "/v1/monitors", body);
  if (res.status !== 201) throw new Error(`POST /v1/monitors answered ${res.status}: ${JSON.stringify(res.body)}`);
  await stack.drainQueues();
  return res.body;
}

/** "Check now": the check's result and the monitor after it. */
export async function checkNow(user: TestUser, id: string): Promise<{ result: any; monitor: any }> {
  const res = await user.call("POST", `/v1/monitors/${id}/check`);
  if (res.status !== 200) throw new Error(`POST /v1/monitors/${id}/check answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}
