// The test projects: each has its own vitest.config.ts. Read by the root vitest.config.ts.
export default ["packages/*", "examples"]
