import pkg from "../package.json" with { type: "json" };

declare const NIGHTOWL_COMMIT: string | undefined;

/** The release's version and the commit it was built from (`make build` defines the commit). */
export const VERSION: string = pkg.version;
export const COMMIT: string = typeof NIGHTOWL_COMMIT === "string" ? NIGHTOWL_COMMIT : "dev";
