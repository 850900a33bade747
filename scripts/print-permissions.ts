import { permissionTable } from "../packages/core/src/orgs/roles";

// Prints the permission table for README.md's "Organisations" section.
console.log(permissionTable());
