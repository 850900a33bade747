import { permissionTable } from "../packages/core/src/orgs/roles";

// Prints the permission table for docs/organisations.md.
console.log(permissionTable());
