// Cluster tests and hooks (namespace creation, diagnostics, deletion) wait on a real cluster; each wait
// has its own timeout, so this only has to be longer than the longest of them.
jest.setTimeout(10 * 60 * 1000);
