// `npm run openapi`: regenerates openapi.json after a route or schema changed.
import { writeFileSync } from "node:fs";
import { buildDocument, documentPath } from "./openapi";

writeFileSync(documentPath, JSON.stringify(buildDocument(), null, 2) + "\n");
console.log(`wrote ${documentPath.pathname}`);
