import { fileURLToPath } from 'node:url';

/** The checkout this module runs from (lib/kit/ is two levels below it): manifests/, versions.env, offline/. */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
