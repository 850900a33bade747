// Placeholder: replaced by the real Hono app.
import { Hono } from "hono";
import { handle } from "hono/aws-lambda";

export const app = new Hono();
export const handler = handle(app);
