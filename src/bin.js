#!/usr/bin/env node
// The installed entry point: plain `node src/bin.js` runs the TypeScript sources through tsx's loader.
import { register } from "tsx/esm/api";

register();
await import("./cli.ts");
