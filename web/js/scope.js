// @ts-check
// Which installation the dashboard works on, and the API path of its routes. With one installation (or
// none yet) the page uses the unscoped routes, which answer for the default installation as before.

/** @type {string | null} */
let selected = null;

/** The installation the dashboard shows, or null for the default one. */
export function installationId() {
  return selected;
}

/** @param {string | null} id */
export function selectInstallation(id) {
  selected = id;
}

/**
 * The API path of a per-installation route, under the selected installation.
 * @param {string} path such as `/runs?limit=15`
 */
export function scoped(path) {
  return selected === null ? `/api${path}` : `/api/installations/${encodeURIComponent(selected)}${path}`;
}
