import { BillingMode } from "aws-cdk-lib/aws-dynamodb";
import { StackContext, Table } from "sst/constructs";
import { tableSchema } from "@uptime/core/platform/table";

export function Storage({ stack }: StackContext) {
  // Keys, indexes and TTL come from the shared schema so the local runtime cannot drift from AWS.
  const table = new Table(stack, "Table", {
    ...tableSchema,
    cdk: { table: { billingMode: BillingMode.PAY_PER_REQUEST, pointInTimeRecovery: true } },
  });
  return { table };
}
