import { randomUUID } from "node:crypto";
import type { Context } from "aws-lambda";

/** The account id the emulators put in ARNs (fauxqs and dynalite both use zeros). */
export const LOCAL_ACCOUNT_ID = "000000000000";

/** A handler as Lambda calls it; placeholders that ignore their arguments fit too. */
export type LambdaHandler<E, R> = (event: E, context: Context) => Promise<R> | R;

/**
 * A Lambda context for one local invocation. Handlers may call getRemainingTimeInMillis() to
 * bound their own work, so it counts down from the function's configured timeout.
 */
export function lambdaContext(functionName: string, timeoutMs: number, region: string): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:${region}:${LOCAL_ACCOUNT_ID}:function:${functionName}`,
    memoryLimitInMB: "1024",
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: "local",
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

export class InvocationTimeoutError extends Error {
  constructor(functionName: string, timeoutMs: number) {
    super(`${functionName} timed out after ${timeoutMs / 1000}s (the deployed function would be stopped here)`);
    this.name = "InvocationTimeoutError";
  }
}

/**
 * Lambda ends an invocation at its timeout and reports failure; locally the handler cannot be
 * stopped, so it keeps running in the background while the caller sees the failure.
 */
export async function invokeWithTimeout<R>(
  functionName: string,
  timeoutMs: number | undefined,
  invoke: () => Promise<R> | R,
): Promise<R> {
  if (!timeoutMs) return invoke();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new InvocationTimeoutError(functionName, timeoutMs)), timeoutMs);
  });
  try {
    return await Promise.race([Promise.resolve().then(invoke), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
