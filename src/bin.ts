#!/usr/bin/env node
// The installed entry point, run as compiled JavaScript (dist/src/bin.js; `npm run build`). In a checkout,
// `node --import tsx src/bin.ts` runs the sources without building.
import "./cli.ts";
