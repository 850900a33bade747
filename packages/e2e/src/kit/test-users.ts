import type { TestStack } from "@uptime/local/testing";

export interface TestUser {
  email: string;
  token: string;
  call(method: string, path: string, body?: unknown): Promise<{ status: number; headers: Headers; body: any }>;
}

let counter = 0;
export const TEST_PASSWORD = "correct horse battery";

/** Registers and logs in a fresh user on a test stack; `call` sends its bearer token. */
export async function createUser(stack: TestStack, email = `user-${Date.now()}-${counter++}@example.com`): Promise<TestUser> {
  const password = TEST_PASSWORD;
  const json = { "content-type": "application/json" };
  await stack.api("/v1/auth/register", { method: "POST", headers: json, body: JSON.stringify({ email, password }) });
  const login = await stack.api("/v1/auth/login", { method: "POST", headers: json, body: JSON.stringify({ email, password }) });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${JSON.stringify(login.body)}`);
  const token = login.body.accessToken as string;
  return {
    email,
    token,
    call: (method, path, body) =>
      stack.api(path, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : json) },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
  };
}
