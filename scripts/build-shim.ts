// Builds the Go shim from shim-go/ (or reuses an identical earlier build) and prints its path.
import { ensureShim } from "../src/shim/build.ts";

console.log(ensureShim({ log: (m) => console.error(m) }));
