// Progressive enhancement of the integration page: every action calls the admin API's JSON
// routes, then the page re-reads itself. While a back-fill runs it re-reads every 2 seconds.
(() => {
  'use strict';
  document.documentElement.classList.remove('no-js');
  const data = JSON.parse(document.getElementById('page-data').textContent);
  const page = location.pathname.replace(/\/integration\/?$/, '');
  const status = document.getElementById('status');
  const say = (text, isError) => {
    status.textContent = text;
    status.classList.toggle('error', Boolean(isError));
  };

  async function call(method, path, body) {
    const init = { method, credentials: 'same-origin', headers: {} };
    // Bound to this browser's session; the API refuses a change made with the session's
    // cookie but without it.
    if (data.csrfToken) init.headers['x-csrf-token'] = data.csrfToken;
    if (body !== undefined) {
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const resp = await fetch(page + path, init);
    const text = await resp.text();
    let answer = null;
    try { answer = text ? JSON.parse(text) : null; } catch (_) { answer = null; }
    if (!resp.ok) {
      const why = answer && answer.message ? answer.message : `answered ${resp.status}`;
      throw new Error(`${method} ${path}: ${why}`);
    }
    return answer;
  }

  let timer = null;
  async function refresh() {
    clearTimeout(timer);
    // Only the changing part: the whole page would carry a style with another nonce.
    const resp = await fetch(`${location.pathname}?part=live`, { credentials: 'same-origin' });
    if (!resp.ok) throw new Error(`The page could not be read again (${resp.status}).`);
    const doc = new DOMParser().parseFromString(await resp.text(), 'text/html');
    const next = doc.getElementById('live');
    if (!next) throw new Error('The page could not be read again.');
    const focused = document.activeElement && document.activeElement.id;
    const open = [...document.querySelectorAll('#live details[open]')].map((d) => d.id).filter(Boolean);
    document.getElementById('live').replaceWith(document.importNode(next, true));
    open.forEach((id) => { const d = document.getElementById(id); if (d) d.open = true; });
    if (focused) { const el = document.getElementById(focused); if (el) el.focus(); }
    schedule();
  }
  function schedule() {
    if (document.querySelector('#live[data-busy]')) {
      timer = setTimeout(() => refresh().catch((e) => say(e.message, true)), 2000);
    }
  }

  async function act(work, done) {
    say('Working…');
    try {
      await work();
      say(done);
      await refresh();
    } catch (e) {
      say(e.message, true);
    }
  }

  // Confirmation: says what will happen; the action runs only on OK.
  const confirmDialog = document.getElementById('confirm-dialog');
  let confirmed = null;
  function confirmThen(d, work) {
    document.getElementById('confirm-title').textContent = `${d.verb}?`;
    document.getElementById('confirm-text').textContent = d.confirm;
    document.getElementById('confirm-ok').textContent = d.verb;
    confirmed = () => act(work, d.done);
    confirmDialog.returnValue = '';
    confirmDialog.showModal();
  }
  confirmDialog.addEventListener('close', () => {
    const run = confirmed;
    confirmed = null;
    if (confirmDialog.returnValue === 'ok' && run) run();
  });

  // Linking: pick an existing ATS user, found by name or email.
  const linkDialog = document.getElementById('link-dialog');
  const search = document.getElementById('user-search');
  const choice = document.getElementById('user-choice');
  let linking = null;
  function showUsers() {
    const q = search.value.trim().toLowerCase();
    const matches = data.users.filter((u) => `${u.name} ${u.email}`.toLowerCase().includes(q));
    choice.replaceChildren(...matches.map((u) => {
      const o = document.createElement('option');
      o.value = u.userId;
      o.textContent = `${u.name} <${u.email}>`;
      return o;
    }));
    if (matches.length === 1) choice.value = matches[0].userId;
    document.getElementById('link-none').hidden = matches.length > 0;
  }
  search.addEventListener('input', showUsers);
  search.addEventListener('keydown', (ev) => {
    if (ev.key === 'ArrowDown' && choice.options.length) { ev.preventDefault(); choice.focus(); }
  });
  function openLink(d) {
    linking = d;
    document.getElementById('link-seat').textContent = d.label;
    document.getElementById('link-effect').textContent = d.effect;
    search.value = '';
    showUsers();
    linkDialog.returnValue = '';
    linkDialog.showModal();
    search.focus();
  }
  linkDialog.addEventListener('close', () => {
    const d = linking;
    linking = null;
    if (linkDialog.returnValue !== 'ok' || !d || !choice.value) return;
    const userId = choice.value;
    act(() => call('PUT', `/contracts/${d.contract}/seats/${d.seat}/link`, { userId }),
      `${d.label} linked; its back-fill has started.`);
  });

  document.addEventListener('click', (ev) => {
    const button = ev.target.closest('button[data-action]');
    if (!button) return;
    const d = button.dataset;
    if (d.action === 'link') openLink(d);
    else if (d.action === 'unlink') {
      confirmThen(d, () => call('DELETE', `/contracts/${d.contract}/seats/${d.seat}/link`));
    } else if (d.action === 'disconnect') {
      confirmThen(d, () => call('DELETE', `/contracts/${d.contract}`));
    } else if (d.action === 'reconnect') {
      act(() => call('PUT', `/contracts/${d.contract}`, d.expires ? { expiresAt: d.expires } : {}),
        `Contract ${d.contract} connected again.`);
    }
  });

  // Delegated: the form is inside the part that is swapped on refresh.
  document.addEventListener('submit', (ev) => {
    const form = ev.target;
    if (form.id !== 'connect-form') return;
    ev.preventDefault();
    const contract = form.contract.value.trim();
    const body = form.expires.value ? { expiresAt: `${form.expires.value}T23:59:59Z` } : {};
    act(() => call('PUT', `/contracts/${contract}`, body), `Contract ${contract} connected.`)
      .then(() => form.reset());
  });

  schedule();
})();
