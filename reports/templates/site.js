// battbot reports: filters, search and paging for index.html. The first page is static HTML;
// with a filter, a search or page > 1 in the address (?q=&model=&set=&platform=&status=&repo=
// &page=), the month pages under index/ are fetched newest first, only as far as the view
// needs (index/manifest.json lists them). Every value from the index is inserted as text.
'use strict';
(function () {
  const list = document.getElementById('reports');
  const form = document.getElementById('filters');
  const where = document.getElementById('where');
  const older = document.getElementById('older');
  const newer = document.getElementById('newer');
  if (!list || !form) return;
  const PER_PAGE = Number(list.dataset.perPage) || 24;
  const MAX_PAGES_PER_VIEW = 48;
  const KEYS = ['q', 'model', 'set', 'platform', 'status', 'repo'];
  const first = [...list.children], firstWhere = where.textContent, firstOlder = older.hidden;
  let queue = null, loaded = [], seen = new Set(), generation = 0;

  function pagePath(month, page) {
    const b = String(Math.floor(page / 100)).padStart(4, '0');
    const p = String(page % 100).padStart(2, '0');
    return `index/${month}/${b}/${p}.json`;
  }
  function safePath(path) {
    path = String(path || '');
    return /^[A-Za-z0-9._~\/-]+$/.test(path) && !path.startsWith('/') &&
      path.split('/').every(p => p && p !== '.' && p !== '..') ? path : '#';
  }
  function pageOf(report) {
    report = String(report || '');
    return report.endsWith('report.md') ? report.slice(0, -'report.md'.length) + 'report.html' : report;
  }
  function params() {
    const u = new URLSearchParams(location.search), f = {};
    for (const k of KEYS) f[k] = (u.get(k) || '').trim();
    f.page = Math.max(1, parseInt(u.get('page') || '1', 10) || 1);
    return f;
  }
  function filtered(f) { return KEYS.some(k => f[k]); }
  function matches(e, f) {
    const has = (list, v) => (Array.isArray(list) ? list : []).some(x => String(x).toLowerCase() === v.toLowerCase()) ||
      ` ${String(e.command || '').toLowerCase()} `.includes(` ${v.toLowerCase()} `);
    if (f.model && !has(e.models, f.model)) return false;
    if (f.set && !has(e.parameter_sets, f.set)) return false;
    if (f.platform && String(e.platform) !== f.platform) return false;
    if (f.status && String(e.status) !== f.status) return false;
    if (f.repo && !String(e.repo || '').toLowerCase().includes(f.repo.toLowerCase())) return false;
    const text = [e.finished_at, e.status, '@' + e.user, e.platform, e.repo, '#' + e.number, e.command,
      (e.models || []).join(' '), (e.parameter_sets || []).join(' ')].join(' ').toLowerCase();
    return f.q.toLowerCase().split(/\s+/).filter(Boolean).every(w => text.includes(w));
  }
  async function manifestQueue() {
    if (queue) return;
    queue = [];
    const r = await fetch('index/manifest.json');
    if (!r.ok) throw new Error('manifest');
    const m = await r.json();
    for (const month of [...(m.months || [])].reverse())
      for (let p = month.pages - 1; p >= 0; p--) queue.push([month.month, p]);
  }
  async function loadOne() {
    const [month, page] = queue.shift();
    try {
      const r = await fetch(pagePath(month, page));
      if (!r.ok) return;
      for (const e of (await r.json()).reverse()) {
        if (e && !seen.has(e.job_id)) { seen.add(e.job_id); loaded.push(e); }
      }
    } catch (e) { /* a missing page leaves a gap, not a broken site */ }
  }
  function el(tag, cls, text) {
    const x = document.createElement(tag);
    if (cls) x.className = cls;
    if (text !== undefined) x.textContent = text;
    return x;
  }
  function card(e) {
    const li = el('li', 'card'), page = safePath(pageOf(e.report));
    const thumb = el('a', 'thumb');
    thumb.href = page;
    if (e.thumbnail) {
      const img = el('img');
      img.src = safePath(e.thumbnail);
      img.alt = 'Plot of voltage, current and power against time: ' + String(e.command || '');
      img.width = 240; img.height = 160; img.loading = 'lazy';
      thumb.append(img);
    } else {
      thumb.classList.add('none');
      thumb.textContent = e.status === 'success' ? 'no plot' : 'failed';
    }
    const what = el('div', 'what'), title = el('a', 'title', String(e.command || ''));
    title.href = page;
    const ok = e.status === 'success';
    what.append(title, ' ', el('span', 'status ' + (ok ? 'ok' : 'fail'), ok ? '✓ success' : '✗ ' + String(e.status)), ' ',
      el('span', 'muted', `@${e.user} · ${e.platform} ${e.repo}${e.number ? ' #' + e.number : ''} · ` +
        String(e.finished_at || '').slice(0, 16).replace('T', ' ') + ' UTC'));
    li.append(thumb, what);
    return li;
  }
  function link(a, f, page) {
    const u = new URLSearchParams();
    for (const k of KEYS) if (f[k]) u.set(k, f[k]);
    if (page > 1) u.set('page', String(page));
    a.href = 'index.html' + (u.toString() ? '?' + u : '');
  }
  async function render() {
    const f = params(), mine = ++generation;
    for (const k of KEYS) if (form.elements[k]) form.elements[k].value = f[k];
    if (!filtered(f) && f.page === 1) { // the static first page stands
      list.replaceChildren(...first);
      where.textContent = firstWhere;
      older.hidden = firstOlder; older.href = 'index.html?page=2'; newer.hidden = true;
      return;
    }
    where.textContent = 'Loading…';
    try { await manifestQueue(); } catch (e) { where.textContent = 'The index could not be loaded.'; return; }
    const want = f.page * PER_PAGE + 1;
    let hits = loaded.filter(e => matches(e, f)), steps = 0;
    while (hits.length < want && queue.length && steps < MAX_PAGES_PER_VIEW) {
      await loadOne(); steps++;
      hits = loaded.filter(e => matches(e, f));
    }
    if (mine !== generation) return;
    const shown = hits.slice((f.page - 1) * PER_PAGE, f.page * PER_PAGE);
    list.replaceChildren(...shown.map(card));
    const more = hits.length > f.page * PER_PAGE || queue.length > 0;
    where.textContent = `${shown.length ? `${(f.page - 1) * PER_PAGE + 1}–${(f.page - 1) * PER_PAGE + shown.length}` : 'none'}` +
      ` of ${hits.length}${queue.length ? '+' : ''} matching report${hits.length === 1 ? '' : 's'}` +
      (queue.length ? ` (searched back to ${String(loaded.length ? loaded[loaded.length - 1].finished_at : '').slice(0, 10)})` : '') + '.';
    newer.hidden = f.page === 1; link(newer, f, f.page - 1);
    older.hidden = !more; link(older, f, f.page + 1);
  }
  function fromForm() {
    const u = new URLSearchParams();
    for (const k of KEYS) { const v = (form.elements[k] && form.elements[k].value || '').trim(); if (v) u.set(k, v); }
    history.replaceState(null, '', 'index.html' + (u.toString() ? '?' + u : ''));
    render();
  }
  form.addEventListener('submit', ev => { ev.preventDefault(); fromForm(); });
  form.addEventListener('change', fromForm);
  let timer = 0;
  form.elements.q.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(fromForm, 250); });
  render();
})();
