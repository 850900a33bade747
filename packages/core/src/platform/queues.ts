/**
 * Queue and consumer settings, defined once: the stack (stacks/Pipeline.ts) and the local
 * runtime's pollers both read them. AWS advises a queue visibility timeout of at least
 * six times the consumer function's timeout, so a message is not redelivered while a
 * retried invocation still holds it.
 */
export const queueSettings = {
  checks: {
    fifo: false, // per-message DelaySeconds (sub-minute slots, retry confirmation) is not available on FIFO queues
    functionTimeoutSec: 40,
    visibilityTimeoutSec: 240,
    // AWS recommends at least 5: throttled receives count too, and would dead-letter checks otherwise.
    maxReceiveCount: 5,
    // One message (up to 10 checks) per invocation: measured latency stays honest (stacks/Pipeline.ts).
    batchSize: 1,
    maxBatchingWindowSec: 0,
  },
  alerts: {
    fifo: true, // content de-duplication by incident + transition
    functionTimeoutSec: 30,
    visibilityTimeoutSec: 180,
    maxReceiveCount: 5,
    batchSize: 10,
    maxBatchingWindowSec: 0,
  },
  deliveries: {
    fifo: false, // retries wait with per-message DelaySeconds; exactly-once comes from the delivery item's conditional claims
    functionTimeoutSec: 30, // a batch's requests run side by side, each at most CHANNEL_TIMEOUT_MS
    visibilityTimeoutSec: 180,
    maxReceiveCount: 5,
    batchSize: 10,
    maxBatchingWindowSec: 0,
  },
} as const;

export type QueueName = keyof typeof queueSettings;
