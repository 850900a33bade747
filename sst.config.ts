import type { SSTConfig } from "sst";
import { Storage } from "./stacks/Storage";
import { Pipeline } from "./stacks/Pipeline";
import { Api } from "./stacks/Api";
import { Web } from "./stacks/Web";
import { Monitoring } from "./stacks/Monitoring";

export default {
  config() {
    return { name: "uptime", region: process.env.AWS_REGION ?? "us-east-1" };
  },
  stacks(app) {
    app.setDefaultFunctionProps({
      runtime: "nodejs22.x",
      architecture: "arm_64",
      memorySize: 512,
      logRetention: "one_month",
      // X-Ray costs per trace and a check is one short invocation; CloudWatch metrics suffice.
      tracing: "disabled",
      nodejs: { format: "esm", minify: true },
    });
    app.stack(Storage).stack(Pipeline).stack(Api).stack(Web).stack(Monitoring);
  },
} satisfies SSTConfig;
