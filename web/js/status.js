// @ts-check
// The connection, fields, schedule and install cards, and the pills in the top bar.
import { api } from './api.js';
import { byId, fill, h } from './dom.js';
import { CRM_NAMES, dateTime } from './format.js';

/** @typedef {import('./types').Status} Status */

/** @param {string} crm */
async function install(crm) {
  const { url } = await api(`/api/install/${crm}`, { method: 'POST', body: {} }).then((r) => /** @type {{ url: string }} */ (r));
  window.location.assign(url);
}

/** @param {Status} s @param {(message: string, bad?: boolean) => void} notify */
export function renderStatus(s, notify) {
  const pill = byId('crm-pill');
  pill.hidden = false;
  pill.className = `pill ${s.connection.ok ? 'ok' : 'bad'}`;
  pill.textContent = s.crm ? `${CRM_NAMES[s.crm] ?? s.crm} · ${s.connection.ok ? 'connected' : 'not connected'}` : 'No CRM connected';
  byId('demo-pill').hidden = !s.demo;
  const banner = byId('demo-banner');
  banner.hidden = !s.demo;
  if (s.demo) fill(banner, h('strong', {}, 'Demo. '), s.demo.description);

  const connection = byId('connection');
  const f = s.fields;
  const fieldsLine = !f
    ? null
    : f.error
      ? h('p', { class: 'error' }, `Could not check the fields: ${f.error}`)
      : f.missing.length === 0 && f.toUpdate.length === 0
        ? h('p', {}, h('span', { class: 'dot ok', 'aria-hidden': 'true' }), ` All ${f.inPlace.length} fields are in place.`)
        : h('p', {}, `${f.inPlace.length} fields in place; ${f.missing.length} to create (${f.missing.join(', ') || 'none'})${f.toUpdate.length ? `, ${f.toUpdate.length} to update` : ''}. The next run creates them; a dry run only reports.`);
  // Offered while no CRM works yet (the demo has its own token). An installation whose credentials fail
  // is offered its own CRM only: installing the same account again reconnects it (a new account would be
  // a new installation).
  // A reinstall is offered only where it can be made: an installation whose credentials fail is first of
  // all a token (or connected app) to fix, not an OAuth app to set up.
  const refused = Boolean(s.crm) && !s.connection.ok;
  const installs = s.demo || (s.crm && s.connection.ok) ? [] : s.install.filter((i) => (!s.crm || i.crm === s.crm) && (!refused || i.available));
  const credentialsHint = refused
    ? h(
        'p',
        { class: 'small' },
        s.crm === 'hubspot'
          ? 'HubSpot refused the credentials: check the private-app token (HUBSPOT_ACCESS_TOKEN) the service was started with, or the stored install, then reload.'
          : `${CRM_NAMES[s.crm ?? ''] ?? s.crm} refused the credentials: check the connected app's settings (SALESFORCE_CLIENT_ID, SALESFORCE_USERNAME and key, or the tokens) the service was started with, or the stored install, then reload.`,
      )
    : null;
  fill(
    connection,
    h('div', { class: 'status-line' }, h('span', { class: `dot ${s.connection.ok ? 'ok' : 'bad'}`, 'aria-hidden': 'true' }), s.crm ? (CRM_NAMES[s.crm] ?? s.crm) : 'Not connected'),
    h('p', { class: 'muted' }, s.connection.ok ? (s.installation?.name ?? s.connection.account) : s.connection.message),
    credentialsHint,
    fieldsLine,
    installs.length === 0
      ? null
      : h(
          'div',
          { class: 'actions' },
          installs.map((i) =>
            h(
              'button',
              {
                class: 'btn',
                type: 'button',
                title: i.missing ?? `Install on ${i.label} with OAuth`,
                disabled: !i.available,
                onclick: () => install(i.crm).catch((e) => notify(e instanceof Error ? e.message : String(e), true)),
              },
              `Connect ${i.label}`,
            ),
          ),
        ),
    installs.some((i) => !i.available) ? h('p', { class: 'muted small' }, installs.filter((i) => i.missing).map((i) => i.missing).join(' ')) : null,
  );

  const schedule = byId('schedule');
  const sc = s.schedule;
  if (!sc) {
    fill(schedule, h('p', { class: 'muted' }, s.demo ? 'The demo runs on demand only. An installed service runs nightly.' : 'No schedule.'));
    return;
  }
  fill(
    schedule,
    h('div', { class: 'status-line' }, h('span', { class: `dot ${sc.enabled && !sc.note ? 'ok' : 'warn'}`, 'aria-hidden': 'true' }), sc.enabled ? 'Scheduled' : 'Off'),
    h('dl', { class: 'kv' }, h('dt', {}, 'Cron'), h('dd', {}, h('code', {}, sc.cron)), h('dt', {}, 'Time zone'), h('dd', {}, sc.timezone), h('dt', {}, 'Next run'), h('dd', {}, sc.nextRunAt ? dateTime(sc.nextRunAt) : '—')),
    sc.note ? h('p', { class: 'muted small' }, sc.note) : null,
  );
}
