import type { SSTConfig } from "sst";
import { Storage } from "./stacks/Storage";
import { Pipeline } from "./stacks/Pipeline";
import { Api } from "./stacks/Api";
import { Web } from "./stacks/Web";
import { Monitoring } from "./stacks/Monitoring";
import { nodejsBundling } from "./stacks/bundling";

export default {
  config() {
    // `--region`, else AWS_REGION / AWS_DEFAULT_REGION, else the profile's own region (docs/deploying.md).
    // No silent us-east-1: the SES identity and the secrets must be in the region the stage goes to.
    return { name: "uptime", region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION };
  },
  stacks(app) {
    app.setDefaultFunctionProps({
      runtime: "nodejs22.x",
      architecture: "arm_64",
      memorySize: 512,
      logRetention: "one_month",
      // X-Ray costs per trace and a check is one short invocation; CloudWatch metrics suffice.
      tracing: "disabled",
      nodejs: nodejsBundling,
    });
    app.stack(Storage).stack(Pipeline).stack(Api).stack(Web).stack(Monitoring);
  },
} satisfies SSTConfig;
