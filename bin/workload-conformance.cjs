#!/usr/bin/env node
// `npx workload-conformance …`: runs lib/run/cli/main.ts under a Node new enough for this project, chosen the
// way every npm script chooses it (scripts/node.cjs: this machine's Node, else .cache/node, else one sentence
// saying what to install). Plain CommonJS so any Node can start it.
'use strict';
const path = require('path');

const root = path.resolve(__dirname, '..');
process.argv = [process.argv[0], path.join(root, 'scripts/node.cjs'), 'node', path.join(root, 'lib/run/cli/main.ts')]
  .concat(process.argv.slice(2));
require('../scripts/node.cjs');
