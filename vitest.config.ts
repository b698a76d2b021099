import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    // Vitest's default is one worker fewer than the cores: one, on a 2-core machine. Most tests wait on
    // sockets, child processes and timeouts rather than the CPU, so a worker per core halves the wall time.
    maxWorkers: 2,
    reporters: ["default"],
  },
});
