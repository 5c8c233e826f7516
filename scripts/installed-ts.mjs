// Node runs this package's TypeScript as it is (type stripping), except under a node_modules directory, where it
// refuses (ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING): exactly where a project that installed the package has
// it. scripts/node.cjs therefore preloads this module (NODE_OPTIONS=--import, so every Node the CLI starts gets
// it: up/down, Jest and its workers, worker threads) when the package lives under node_modules, and never in a
// checkout. It strips the types of this package's own .ts files (never another package's) the same way Node
// does (whitespace in place of types: lines and columns unchanged). Plain JavaScript on purpose.
import { readFileSync } from 'node:fs';
import { registerHooks, stripTypeScriptTypes } from 'node:module';

const root = new URL('..', import.meta.url).href;

/** stripTypeScriptTypes says once that it is experimental: not a line this package's users need to see. */
function strip(source) {
  const emitWarning = process.emitWarning;
  process.emitWarning = (warning, ...rest) => {
    if (!String(warning && warning.message ? warning.message : warning).includes('stripTypeScriptTypes')) {
      emitWarning.call(process, warning, ...rest);
    }
  };
  try {
    return stripTypeScriptTypes(source, { mode: 'strip' });
  } finally {
    process.emitWarning = emitWarning;
  }
}

registerHooks({
  load(url, context, nextLoad) {
    if (url.startsWith(root) && /\.m?ts$/.test(url) && !url.slice(root.length).includes('node_modules/')) {
      // The package is "type": "module": its .ts files are ES modules.
      return { format: 'module', source: strip(readFileSync(new URL(url), 'utf8')), shortCircuit: true };
    }
    return nextLoad(url, context);
  },
});
