#!/usr/bin/env node
// The `savings` npm bin (`npx savings …`): the TypeScript CLI through tsx's CommonJS loader, so stdout carries
// only the CLI's own output (`--json` is clean JSON; no npm or tsx banners). A bin is plain CommonJS: require().
/* eslint-disable @typescript-eslint/no-require-imports */
require('tsx/cjs');
require('./savings.ts');
