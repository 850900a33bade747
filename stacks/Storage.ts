import { RemovalPolicy } from "aws-cdk-lib";
import { BillingMode } from "aws-cdk-lib/aws-dynamodb";
import { StackContext, Table } from "sst/constructs";
import { tableSchema } from "@uptime/core/platform/table";
import { deployConfig } from "@uptime/core/platform/config";

export function Storage({ stack, app }: StackContext) {
  // The table has a fixed name: a retained copy would make the next deploy of a removed stage fail
  // with "already exists". So only production keeps its data (and refuses deletion); others go with `sst remove`.
  const { production } = deployConfig(app.stage);
  // Keys, indexes and TTL come from the shared schema so the local runtime cannot drift from AWS.
  const table = new Table(stack, "Table", {
    ...tableSchema,
    cdk: {
      table: {
        billingMode: BillingMode.PAY_PER_REQUEST,
        pointInTimeRecovery: true,
        removalPolicy: production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
        deletionProtection: production,
      },
    },
  });
  return { table };
}
