'use strict';
// proxy-oa's day report. Every value from the logs is put on the page with textContent or as an SVG attribute
// value, never parsed as HTML; nothing is loaded from anywhere.
(function () {
  const D = JSON.parse(document.getElementById('proxy-oa-data').textContent);
  const SVGNS = 'http://www.w3.org/2000/svg';
  const GRAPH_ROWS = 300;
  const EDGE_CAP = D.edges.per_edge; // proxy_edge's rows per edge and hour (dialect::EDGE_ROWS)
  const SEVERITY = { 1: 'High', 2: 'Medium', 3: 'Low' };
  const REP_COLOUR = { 3: '#c62828', 2: '#ef6c00', 1: '#c9a400', 0: '#2e7d32' };
  const NO_REP_COLOUR = '#78849a';

  // ---- small helpers -------------------------------------------------------------------------------------------
  function h(tag, props, kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (v === undefined || v === null) continue;
      if (k === 'text') e.textContent = String(v);
      else if (k === 'cls') e.className = v;
      else e.setAttribute(k, String(v));
    }
    for (const c of kids || []) {
      if (c === null || c === undefined) continue;
      e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    }
    return e;
  }
  function sv(tag, attrs, parent) {
    const e = document.createElementNS(SVGNS, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
    if (parent) parent.appendChild(e);
    return e;
  }
  function svText(parent, x, y, str, attrs) {
    const t = sv('text', Object.assign({ x: x, y: y }, attrs || {}), parent);
    t.textContent = str;
    return t;
  }
  function svTitle(el, str) {
    sv('title', {}, el).textContent = str;
  }
  function clip(str, n) {
    str = String(str);
    return str.length > n ? str.slice(0, n - 1) + '\u2026' : str;
  }
  function show(v) {
    return v === null || v === undefined ? '' : String(v);
  }
  function index(columns) {
    const m = {};
    columns.forEach((c, i) => { m[c] = i; });
    return m;
  }
  function pad2(n) {
    return (n < 10 ? '0' : '') + n;
  }
  function hhmm(minute) {
    return pad2(Math.floor(minute / 60)) + ':' + pad2(minute % 60);
  }
  function secondsOfDay(stamp) {
    // 'YYYY-MM-DD HH:MM:SS' (p_date p_time); other days are clamped to this one.
    const date = String(stamp).slice(0, 10);
    if (date < D.day) return 0;
    if (date > D.day) return 86400;
    const t = String(stamp).slice(11).split(':').map(x => parseInt(x, 10) || 0);
    return (t[0] || 0) * 3600 + (t[1] || 0) * 60 + (t[2] || 0);
  }

  // ---- reputation ----------------------------------------------------------------------------------------------
  // uri_rep: `service:LABEL:value[:categories]` joined by `::`.
  function reputations(uriRep) {
    if (!uriRep) return [];
    return String(uriRep).split('::').filter(x => x).map(label => {
      const p = label.split(':');
      const value = p.length > 2 ? parseInt(p[2], 10) : NaN;
      return { service: p[0], label: p[1] || '', value: value, categories: p.slice(3).join(':') };
    });
  }
  function repValue(uriRep) {
    let v = -1;
    for (const r of reputations(uriRep)) if (r.value >= 0 && r.value > v) v = r.value;
    return v;
  }
  function repColour(v) {
    return v in REP_COLOUR ? REP_COLOUR[v] : NO_REP_COLOUR;
  }
  function badges(uriRep) {
    const span = h('span');
    for (const r of reputations(uriRep)) {
      const cls = r.value >= 0 && r.value <= 3 ? 'badge v' + r.value : 'badge';
      span.appendChild(h('span', { cls: cls, text: r.service + ':' + r.label, title: r.categories || r.label }));
    }
    return span;
  }

  // Why a row is on the list (proxy_scores.why: "topic model; beacon 0.963; first_seen 0.300"): one badge each.
  function whyBadges(why) {
    const span = h('span');
    for (const part of String(why || '').split('; ').filter(p => p !== '')) {
      const cls = part === 'topic model' ? 'badge why model' : 'badge why';
      span.appendChild(h('span', { cls: cls, text: part, title: part }));
    }
    return span;
  }

  // ---- tabs ----------------------------------------------------------------------------------------------------
  const builders = {};
  const built = {};
  const VIEWS = Array.from(document.querySelectorAll('#tabs button')).map(b => b.dataset.view);
  // Each view has its own address (report.html#findings, #network, ...): a link or a bookmark opens it.
  function openView(name) {
    if (!VIEWS.includes(name)) name = 'suspicious';
    if (location.hash !== '#' + name) history.replaceState(null, '', '#' + name);
    for (const b of document.querySelectorAll('#tabs button')) b.classList.toggle('on', b.dataset.view === name);
    for (const s of document.querySelectorAll('.view')) s.classList.toggle('on', s.id === 'view-' + name);
    if (builders[name] && !built[name]) {
      built[name] = true;
      builders[name]();
    }
    document.body.dataset.view = name;
  }
  for (const b of document.querySelectorAll('#tabs button')) b.addEventListener('click', () => openView(b.dataset.view));

  // ---- Suspicious ----------------------------------------------------------------------------------------------
  const SC = index(D.suspicious.columns);
  const RECORDS = D.suspicious.rows.map((r, i) => ({ i: i, rank: i + 1, r: r }));
  const cell = name => rec => rec.r[SC[name]];
  // Column widths in em: the table has a fixed layout (only the rows in sight exist, so widths cannot come from
  // the content); a cell too narrow for its value ends in an ellipsis and shows it whole on hover.
  const MAIN_COLUMNS = [
    { key: 'rank', title: 'Rank', num: true, width: 4.5, get: rec => rec.rank },
    { key: 'score', title: 'Score', num: true, width: 9.5, get: cell('ml_score') },
    { key: 'why', title: 'Why', width: 16, get: cell('why'), render: rec => whyBadges(rec.r[SC.why]) },
    { key: 'time', title: 'Time', width: 12.5, get: rec => show(rec.r[SC.tdate]) + ' ' + show(rec.r[SC.time]) },
    { key: 'clientip', title: 'Client IP', width: 9, get: cell('clientip') },
    { key: 'host', title: 'Host', width: 15, get: cell('host') },
    { key: 'uri_rep', title: 'Reputation', width: 13, get: rec => repValue(rec.r[SC.uri_rep]), render: rec => badges(rec.r[SC.uri_rep]) },
    { key: 'webcat', title: 'Web category', width: 11, get: cell('webcat') },
    { key: 'respcode_name', title: 'Response', width: 10, get: cell('respcode_name') },
    { key: 'network_context', title: 'Network context', width: 14, get: cell('network_context') },
  ];
  const MORE_COLUMNS = [
    ['reqmethod', 'Method', 6], ['fulluri', 'URI', 24], ['uripath', 'Path', 16], ['uriquery', 'Query', 12],
    ['useragent', 'User agent', 24], ['referer', 'Referer', 18], ['resconttype', 'Content type', 12],
    ['scbytes', 'Bytes in', 7, true], ['csbytes', 'Bytes out', 7, true], ['duration', 'Duration', 6, true],
    ['username', 'User', 8], ['serverip', 'Server IP', 9], ['uriport', 'Port', 4.5, true],
  ].filter(c => c[0] in SC).map(c => ({ key: c[0], title: c[1], width: c[2], num: !!c[3], get: cell(c[0]), more: true }));
  const SEVERITY_WIDTH = 6.5;
  // Rows are drawn only around the visible part of the table (a 5,000-row day would otherwise cost the browser
  // over a second of layout); ROW_HEIGHT matches `table.grid tbody tr` in the style.
  const ROW_HEIGHT = 26;
  const OVERSCAN = 40;

  const state = { ip: '', uri: '', sortKey: 'rank', sortDir: 1, more: false, selected: null };
  const marks = new Map(); // fulluri -> '1' | '2' | '3'
  const pickersByUri = new Map();

  function scoreable(uri) {
    // What `proxy-oa score --from` can read back: one line, TAB-separated, not a comment.
    return typeof uri === 'string' && uri.trim() !== '' && !/[\t\r\n]/.test(uri) && uri.charAt(0) !== '#';
  }
  function filtered() {
    const ip = state.ip.trim();
    const uri = state.uri;
    return RECORDS.filter(rec => (!ip || rec.r[SC.clientip] === ip) && (!uri || show(rec.r[SC.fulluri]).includes(uri)));
  }
  function compare(a, b) {
    if (a === b) return 0;
    if (a === null || a === undefined || a === '') return 1;
    if (b === null || b === undefined || b === '') return -1;
    if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : 1;
    a = String(a); b = String(b);
    return a < b ? -1 : a > b ? 1 : 0;
  }
  function columns() {
    return state.more ? MAIN_COLUMNS.concat(MORE_COLUMNS) : MAIN_COLUMNS;
  }
  function visibleRecords() {
    const rows = filtered();
    const col = columns().find(c => c.key === state.sortKey) || MAIN_COLUMNS[0];
    rows.sort((x, y) => {
      const c = compare(col.get(x), col.get(y));
      const nullsLast = (col.get(x) === null || col.get(x) === '' || col.get(y) === null || col.get(y) === '');
      return (c === 0 ? x.rank - y.rank : nullsLast ? c : c * state.sortDir);
    });
    return rows;
  }

  let view = [];
  let drawn = { first: -1, last: -1 };
  const scroller = document.getElementById('s-scroll');
  const table = document.getElementById('s-table');

  function renderTable() {
    table.textContent = '';
    const cols = columns();
    const colgroup = h('colgroup');
    const widths = [SEVERITY_WIDTH].concat(cols.map(c => c.width));
    for (const w of widths) {
      const col = h('col');
      col.style.width = w + 'em';
      colgroup.appendChild(col);
    }
    table.style.width = widths.reduce((a, b) => a + b, 0) + 'em';
    table.appendChild(colgroup);
    const head = h('tr');
    head.appendChild(h('th', { text: 'Severity', cls: 'nosort', title: 'Mark the URI High, Medium or Low' }));
    for (const c of cols) {
      const th = h('th', { text: c.title, 'data-key': c.key, title: 'Sort by ' + c.title });
      if (c.key === state.sortKey) th.className = state.sortDir > 0 ? 'sorted-asc' : 'sorted-desc';
      th.addEventListener('click', () => {
        if (state.sortKey === c.key) state.sortDir = -state.sortDir;
        else { state.sortKey = c.key; state.sortDir = 1; }
        renderTable();
      });
      head.appendChild(th);
    }
    table.appendChild(h('thead', {}, [head]));
    table.appendChild(h('tbody'));
    view = visibleRecords();
    drawn = { first: -1, last: -1 };
    scroller.scrollTop = 0;
    drawRows(false);
    document.getElementById('s-count').textContent =
      view.length === RECORDS.length ? RECORDS.length + ' rows' : view.length + ' of ' + RECORDS.length + ' rows';
    table.dataset.rows = String(view.length);
    built.network = false;
    if (document.getElementById('view-network').classList.contains('on')) openView('network');
  }

  function spacer(rows, span) {
    const tr = h('tr', { cls: 'spacer', 'aria-hidden': 'true' }, [h('td', { colspan: span })]);
    tr.style.height = rows * ROW_HEIGHT + 'px';
    return tr;
  }

  // Draw the rows in sight (all of them when `all`, for printing), with spacers standing for the others.
  function drawRows(all) {
    const top = scroller.scrollTop;
    const height = scroller.clientHeight || 600;
    const first = all ? 0 : Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
    const last = all ? view.length : Math.min(view.length, Math.ceil((top + height) / ROW_HEIGHT) + OVERSCAN);
    if (first === drawn.first && last === drawn.last) return;
    drawn = { first: first, last: last };
    const cols = columns();
    const body = table.tBodies[0];
    body.textContent = '';
    pickersByUri.clear();
    const frag = document.createDocumentFragment();
    if (first > 0) frag.appendChild(spacer(first, cols.length + 1));
    for (let k = first; k < last; k++) {
      const rec = view[k];
      const tr = h('tr', { 'data-rank': rec.rank, 'data-index': rec.i });
      if (state.selected === rec.i) tr.className = 'sel';
      tr.appendChild(h('td', {}, [severityPicker(rec)]));
      for (const c of cols) {
        const td = h('td', { cls: c.num ? 'num' : '' });
        if (c.render) {
          td.appendChild(c.render(rec));
        } else {
          td.textContent = show(c.get(rec));
          td.title = td.textContent;
        }
        tr.appendChild(td);
      }
      frag.appendChild(tr);
    }
    if (last < view.length) frag.appendChild(spacer(view.length - last, cols.length + 1));
    body.appendChild(frag);
  }
  scroller.addEventListener('scroll', () => window.requestAnimationFrame(() => drawRows(false)));
  table.addEventListener('click', ev => {
    const tr = ev.target.closest('tbody tr[data-index]');
    if (!tr || (ev.target.dataset && ev.target.dataset.sev)) return;
    const rec = RECORDS[Number(tr.dataset.index)];
    state.selected = rec.i;
    for (const other of table.querySelectorAll('tr.sel')) other.classList.remove('sel');
    tr.classList.add('sel');
    showDetails(rec);
  });

  // The severity control of a row: three small toggles (H, M, L); spans rather than a <select>, which costs the
  // browser about 0.15 ms of layout each (0.8 s for 5,000 rows).
  function severityPicker(rec) {
    const uri = rec.r[SC.fulluri];
    const box = h('span', { cls: 'sev' });
    if (!scoreable(uri)) {
      box.className = 'sev off';
      box.title = 'This URI holds a TAB or line break or starts with #: score it with proxy-oa score --uri';
      box.textContent = '\u2014';
      return box;
    }
    for (const v of ['1', '2', '3']) {
      const b = h('span', { role: 'button', tabindex: '0', 'data-sev': v, title: SEVERITY[v], text: SEVERITY[v].charAt(0) });
      if (marks.get(uri) === v) b.className = 'on';
      box.appendChild(b);
    }
    if (!pickersByUri.has(uri)) pickersByUri.set(uri, []);
    pickersByUri.get(uri).push(box);
    return box;
  }
  function pick(target) {
    const box = target.parentNode;
    const rec = RECORDS[Number(box.closest('tr').dataset.index)];
    const uri = rec.r[SC.fulluri];
    const v = target.dataset.sev;
    if (marks.get(uri) === v) marks.delete(uri); else marks.set(uri, v);
    const now = marks.get(uri) || '';
    for (const other of pickersByUri.get(uri) || []) {
      for (const b of other.children) b.className = b.dataset.sev === now ? 'on' : '';
    }
    updateMarks();
  }
  table.addEventListener('click', ev => {
    if (ev.target.dataset && ev.target.dataset.sev) pick(ev.target);
  });
  table.addEventListener('keydown', ev => {
    if ((ev.key === 'Enter' || ev.key === ' ') && ev.target.dataset && ev.target.dataset.sev) {
      ev.preventDefault();
      pick(ev.target);
    }
  });

  function updateMarks() {
    const n = marks.size;
    document.getElementById('score-count').textContent = n === 0 ? 'No URI marked.' : n + ' URI(s) marked.';
    document.getElementById('score-download').disabled = n === 0;
  }

  function scoresFile() {
    const uris = Array.from(marks.keys()).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    let text = '# proxy-oa scores of ' + D.day + ', marked in the report: proxy-oa score --date ' + D.date + ' --from FILE\n';
    for (const u of uris) text += u + '\t' + marks.get(u) + '\n';
    return text;
  }

  document.getElementById('score-download').addEventListener('click', () => {
    const blob = new Blob([scoresFile()], { type: 'text/tab-separated-values' });
    const a = h('a', { download: 'proxy-oa-scores-' + D.date + '.tsv' });
    a.href = URL.createObjectURL(blob);
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  });

  function setFilters(ip, uri) {
    state.ip = ip;
    state.uri = uri;
    document.getElementById('f-ip').value = ip;
    document.getElementById('f-uri').value = uri;
    renderTable();
  }
  document.getElementById('f-ip').addEventListener('input', ev => { state.ip = ev.target.value; renderTable(); });
  document.getElementById('f-uri').addEventListener('input', ev => { state.uri = ev.target.value; renderTable(); });
  document.getElementById('f-clear').addEventListener('click', () => setFilters('', ''));
  document.getElementById('show-more').addEventListener('change', ev => { state.more = ev.target.checked; renderTable(); });

  // ---- Details: the edge's connections -------------------------------------------------------------------------
  const EC = D.edges.columns;
  function showDetails(rec) {
    const box = document.getElementById('details');
    box.textContent = '';
    const r = rec.r;
    const hour = show(r[SC.time]).slice(0, 2);
    box.appendChild(h('h3', {}, ['Connections of ', h('span', { cls: 'mono', text: show(r[SC.clientip]) }), ' to ',
      h('span', { cls: 'mono', text: show(r[SC.fulluri]) }), ' in hour ' + hour + ' of ' + show(r[SC.tdate])]));
    const rows = D.edges.by_hash[r[SC.hash]];
    let note;
    if (!rows) {
      if (show(r[SC.tdate]) !== D.day) note = 'This results row is dated ' + show(r[SC.tdate]) + ', not ' + D.day + ': it has no edge.';
      else if (D.edges.omitted > 0) note = 'Not in this page: the raw day had no connection for this edge, or the page\u2019s cap of ' + D.edges.cap + ' proxy_edge rows left it out (see Provenance).';
      else note = 'The raw day has no connection for this edge.';
    } else if (rows.length >= EDGE_CAP) {
      note = rows.length + ' connections shown: proxy_edge keeps at most ' + EDGE_CAP + ' per edge and hour (the earliest), so there may be more.';
    } else {
      note = rows.length + ' connection(s).';
    }
    box.appendChild(h('p', { cls: 'count', id: 'details-note', text: note }));
    if (!rows) return;
    const table = h('table', { cls: 'grid', id: 'details-table' });
    table.appendChild(h('thead', {}, [h('tr', {}, EC.filter(c => c !== 'hash').map(c => h('th', { text: c })))]));
    const body = h('tbody');
    for (const er of rows) {
      const tr = h('tr');
      EC.forEach((c, i) => {
        if (c === 'hash') return;
        tr.appendChild(h('td', { cls: c === 'useragent' || c === 'fulluri' || c === 'referer' ? 'wrap' : '', text: show(er[i]) }));
      });
      body.appendChild(tr);
    }
    table.appendChild(body);
    box.appendChild(h('div', { cls: 'scroll' }, [table]));
  }

  // ---- Network view --------------------------------------------------------------------------------------------
  const folded = new Set();
  let netView = null;
  function layered(columnsOfNodes, width, rowHeight) {
    // x by column, y spread evenly within each column; returns the height.
    const tallest = Math.max(1, ...columnsOfNodes.map(c => c.length));
    const height = Math.max(120, tallest * rowHeight + 40);
    const n = columnsOfNodes.length;
    columnsOfNodes.forEach((col, ci) => {
      const x = n === 1 ? width / 2 : 70 + ci * (width - 300) / (n - 1);
      col.forEach((node, k) => {
        node.x = x;
        node.y = 20 + (k + 0.5) * (height - 40) / col.length;
      });
    });
    return height;
  }
  function curve(a, b) {
    const mx = (a.x + b.x) / 2;
    return 'M' + a.x + ',' + a.y + 'C' + mx + ',' + a.y + ' ' + mx + ',' + b.y + ' ' + b.x + ',' + b.y;
  }
  function buildNetwork() {
    const host = document.getElementById('n-graph');
    host.textContent = '';
    const rows = view.slice(0, GRAPH_ROWS);
    const all = view.length;
    document.getElementById('n-note').textContent = rows.length < all
      ? 'The first ' + rows.length + ' of the table\u2019s ' + all + ' rows (in the table\u2019s order).'
      : rows.length + ' rows.';
    const nodes = new Map();
    const links = new Map();
    const chains = [];
    function node(id, layer, label, rec, rv) {
      let n = nodes.get(id);
      if (!n) { n = { id: id, layer: layer, label: label, hits: 0, rep: -1, recs: [] }; nodes.set(id, n); }
      n.hits += 1;
      n.rep = Math.max(n.rep, rv);
      n.recs.push(rec.i);
      return n;
    }
    for (const rec of rows) {
      const r = rec.r;
      const rv = repValue(r[SC.uri_rep]);
      const hostName = show(r[SC.host]);
      const chain = [
        node('m\u0000' + show(r[SC.reqmethod]), 0, show(r[SC.reqmethod]) || '(none)', rec, rv),
        node('h\u0000' + hostName, 1, hostName, rec, rv),
      ];
      if (!folded.has(hostName)) {
        const path = show(r[SC.uripath]) || '/';
        chain.push(node('p\u0000' + hostName + '\u0000' + path, 2, path, rec, rv));
      }
      chain.push(node('c\u0000' + show(r[SC.clientip]), 3, show(r[SC.clientip]), rec, rv));
      const ids = [];
      for (let k = 0; k + 1 < chain.length; k++) {
        const id = chain[k].id + '\u0001' + chain[k + 1].id;
        let l = links.get(id);
        if (!l) { l = { id: id, a: chain[k], b: chain[k + 1], count: 0 }; links.set(id, l); }
        l.count += 1;
        ids.push(id);
      }
      chains[rec.i] = { nodes: chain.map(n => n.id), links: ids };
    }
    const byLayer = [[], [], [], []];
    for (const n of nodes.values()) byLayer[n.layer].push(n);
    for (const col of byLayer) col.sort((a, b) => b.hits - a.hits || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
    const width = 1100;
    const height = layered(byLayer.filter(c => c.length), width, 18);
    const svg = sv('svg', { viewBox: '0 0 ' + width + ' ' + height, role: 'img', 'aria-label': 'Network view' });
    svg.addEventListener('contextmenu', ev => ev.preventDefault());
    const g = sv('g', {}, svg);
    const linkEls = new Map();
    const nodeEls = new Map();
    for (const l of links.values()) {
      const p = sv('path', { class: 'link', d: curve(l.a, l.b), 'stroke-width': 1 + Math.log2(l.count) }, g);
      svTitle(p, l.count + ' row(s)');
      linkEls.set(l.id, p);
    }
    const layerName = ['method', 'host', 'path', 'client IP'];
    for (const n of nodes.values()) {
      const ng = sv('g', { class: 'node', 'data-layer': layerName[n.layer] }, g);
      const radius = Math.min(16, 3 + 1.5 * Math.sqrt(n.hits));
      sv('circle', { cx: n.x, cy: n.y, r: radius, fill: repColour(n.rep) }, ng);
      svText(ng, n.x + radius + 4, n.y + 4, clip(n.label, 48));
      svTitle(ng, layerName[n.layer] + ': ' + n.label + '\n' + n.hits + ' row(s)' +
        (n.layer === 1 ? '\nclick: filter the table by this host; right-click: fold or unfold its paths' : '\nclick: filter the table'));
      nodeEls.set(n.id, ng);
      ng.addEventListener('mouseenter', () => highlight(n));
      ng.addEventListener('mouseleave', () => highlight(null));
      ng.addEventListener('click', () => {
        if (n.layer === 1) setFilters(state.ip, n.label);
        else if (n.layer === 2) setFilters(state.ip, n.id.split('\u0000')[1] + (n.label === '/' ? '' : n.label));
        else if (n.layer === 3) setFilters(n.label, state.uri);
      });
      if (n.layer === 1) {
        ng.addEventListener('contextmenu', ev => {
          ev.preventDefault();
          if (folded.has(n.label)) folded.delete(n.label); else folded.add(n.label);
          buildNetwork();
        });
      }
    }
    function highlight(n) {
      const hotNodes = new Set();
      const hotLinks = new Set();
      if (n) for (const i of n.recs) {
        for (const id of chains[i].nodes) hotNodes.add(id);
        for (const id of chains[i].links) hotLinks.add(id);
      }
      for (const [id, el] of nodeEls) el.setAttribute('class', 'node' + (!n ? '' : hotNodes.has(id) ? ' hot' : ' faded'));
      for (const [id, el] of linkEls) el.setAttribute('class', 'link' + (!n ? '' : hotLinks.has(id) ? ' hot' : ' faded'));
    }
    // Column headings.
    byLayer.filter(c => c.length).forEach(col => svText(svg, col[0].x - 10, 12, layerName[col[0].layer], { 'font-weight': 'bold' }));
    host.appendChild(svg);
    netView = zoomable(svg, width, height, netView);
  }
  function zoomable(svg, width, height, previous) {
    const v = previous && previous.width === width && previous.height === height ? previous : { x: 0, y: 0, w: width, h: height, width: width, height: height };
    const apply = () => svg.setAttribute('viewBox', v.x + ' ' + v.y + ' ' + v.w + ' ' + v.h);
    apply();
    svg.addEventListener('wheel', ev => {
      ev.preventDefault();
      const box = svg.getBoundingClientRect();
      const fx = (ev.clientX - box.left) / box.width;
      const fy = (ev.clientY - box.top) / box.height;
      const k = ev.deltaY < 0 ? 0.8 : 1.25;
      const nw = Math.min(width * 4, Math.max(width / 20, v.w * k));
      const nh = nw * v.h / v.w;
      v.x += (v.w - nw) * fx; v.y += (v.h - nh) * fy; v.w = nw; v.h = nh;
      apply();
    }, { passive: false });
    let drag = null;
    svg.addEventListener('mousedown', ev => { if (ev.button === 0) drag = { x: ev.clientX, y: ev.clientY, vx: v.x, vy: v.y }; });
    window.addEventListener('mouseup', () => { drag = null; });
    svg.addEventListener('mousemove', ev => {
      if (!drag) return;
      const box = svg.getBoundingClientRect();
      v.x = drag.vx - (ev.clientX - drag.x) * v.w / box.width;
      v.y = drag.vy - (ev.clientY - drag.y) * v.h / box.height;
      apply();
    });
    v.reset = () => { v.x = 0; v.y = 0; v.w = width; v.h = height; apply(); };
    return v;
  }
  builders.network = buildNetwork;
  document.getElementById('n-reset').addEventListener('click', () => { if (netView) netView.reset(); });
  document.getElementById('n-collapse').addEventListener('click', () => {
    for (const rec of RECORDS) folded.add(show(rec.r[SC.host]));
    buildNetwork();
  });
  document.getElementById('n-expand').addEventListener('click', () => { folded.clear(); buildNetwork(); });

  // ---- Ingest summary ------------------------------------------------------------------------------------------
  const minutes = new Array(1440).fill(0);
  let dayTotal = 0;
  for (const [stamp, total] of D.ingest.rows) {
    const s = String(stamp);
    if (s.slice(0, 10) !== D.day) continue;
    const m = parseInt(s.slice(11, 13), 10) * 60 + parseInt(s.slice(14, 16), 10);
    if (m >= 0 && m < 1440) { minutes[m] += Number(total); dayTotal += Number(total); }
  }
  const win = { from: 0, to: 1440 };
  function buildIngest() {
    const host = document.getElementById('i-chart');
    host.textContent = '';
    const W = 1000, H = 320, L = 60, R = 12, T = 12, B = 32;
    const svg = sv('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': 'Connections per minute' });
    const span = win.to - win.from;
    const x = m => L + (m - win.from) * (W - L - R) / span;
    let max = 1;
    let total = 0;
    for (let m = win.from; m < win.to; m++) { max = Math.max(max, minutes[m]); total += minutes[m]; }
    const y = v => T + (H - T - B) * (1 - v / max);
    let d = 'M' + x(win.from) + ',' + y(0);
    for (let m = win.from; m < win.to; m++) d += 'L' + x(m) + ',' + y(minutes[m]) + 'L' + x(m + 1) + ',' + y(minutes[m]);
    d += 'L' + x(win.to) + ',' + y(0) + 'Z';
    sv('path', { class: 'area', d: d }, svg);
    const axis = sv('g', { class: 'axis' }, svg);
    sv('line', { x1: L, y1: y(0), x2: W - R, y2: y(0) }, axis);
    sv('line', { x1: L, y1: T, x2: L, y2: y(0) }, axis);
    const step = [1, 5, 10, 15, 30, 60, 120, 180, 240].find(s => span / s <= 12) || 240;
    for (let m = Math.ceil(win.from / step) * step; m <= win.to; m += step) {
      sv('line', { x1: x(m), y1: y(0), x2: x(m), y2: y(0) + 5 }, axis);
      svText(axis, x(m), H - 12, hhmm(m), { 'text-anchor': 'middle' });
    }
    for (let k = 0; k <= 4; k++) {
      const v = Math.round(max * k / 4);
      sv('line', { x1: L - 5, y1: y(v), x2: L, y2: y(v) }, axis);
      svText(axis, L - 8, y(v) + 3, String(v), { 'text-anchor': 'end' });
    }
    const brush = sv('rect', { class: 'brush', x: 0, y: T, width: 0, height: H - T - B, visibility: 'hidden' }, svg);
    const minuteAt = ev => {
      const box = svg.getBoundingClientRect();
      const px = (ev.clientX - box.left) * W / box.width;
      return Math.max(win.from, Math.min(win.to, Math.round(win.from + (px - L) * span / (W - L - R))));
    };
    let start = null;
    svg.addEventListener('mousedown', ev => { start = minuteAt(ev); });
    svg.addEventListener('mousemove', ev => {
      if (start === null) return;
      const m = minuteAt(ev);
      brush.setAttribute('x', x(Math.min(start, m)));
      brush.setAttribute('width', Math.abs(x(m) - x(start)));
      brush.setAttribute('visibility', 'visible');
    });
    svg.addEventListener('mouseup', ev => {
      if (start === null) return;
      const m = minuteAt(ev);
      const a = Math.min(start, m), b = Math.max(start, m);
      start = null;
      if (b - a >= 1) { win.from = a; win.to = b; buildIngest(); } else brush.setAttribute('visibility', 'hidden');
    });
    svg.addEventListener('wheel', ev => {
      ev.preventDefault();
      const m = minuteAt(ev);
      const k = ev.deltaY < 0 ? 0.7 : 1 / 0.7;
      const ns = Math.max(10, Math.min(1440, Math.round(span * k)));
      let a = Math.round(m - (m - win.from) * ns / span);
      a = Math.max(0, Math.min(1440 - ns, a));
      win.from = a; win.to = a + ns;
      buildIngest();
    }, { passive: false });
    host.appendChild(svg);
    host.dataset.from = String(win.from);
    host.dataset.to = String(win.to);
    document.getElementById('i-window').textContent = hhmm(win.from) + '\u2013' + hhmm(win.to) + (win.from === 0 && win.to === 1440 ? ' (whole day)' : '');
    const t = document.getElementById('i-total');
    t.textContent = String(total);
    t.dataset.total = String(total);
    t.title = 'Whole day: ' + dayTotal;
  }
  builders.ingest = buildIngest;
  document.getElementById('i-reset').addEventListener('click', () => { win.from = 0; win.to = 1440; buildIngest(); });

  // ---- Threats and storyboards ---------------------------------------------------------------------------------
  function codeColour(code) {
    const c = parseInt(code, 10);
    if (c >= 200 && c < 300) return '#2e7d32';
    if (c >= 300 && c < 400) return '#1f5fae';
    if (c >= 400 && c < 500) return '#ef6c00';
    if (c >= 500 && c < 600) return '#c62828';
    return '#78849a';
  }
  function incidentPicture(inc) {
    const names = ['Referer', 'Client IP', 'Method', 'Content type', 'Threat', 'Referred'];
    const cols = names.map(() => new Map());
    const links = new Map();
    function node(c, label, count) {
      let n = cols[c].get(label);
      if (!n) { n = { col: c, label: label, hits: 0 }; cols[c].set(label, n); }
      n.hits += count;
      return n;
    }
    function link(a, b, count) {
      const id = a.col + '\u0000' + a.label + '\u0001' + b.label;
      const l = links.get(id) || { a: a, b: b, count: 0 };
      l.count += count;
      links.set(id, l);
    }
    const threat = node(4, inc.fulluri, 0);
    for (const q of inc.requests) {
      const chain = [node(0, q.referer || '(none)', q.count), node(1, q.clientip || '(none)', q.count),
        node(2, q.reqmethod || '(none)', q.count), node(3, q.resconttype || '(none)', q.count)];
      threat.hits += q.count;
      chain.push(threat);
      for (let k = 0; k + 1 < chain.length; k++) link(chain[k], chain[k + 1], q.count);
    }
    for (const u of inc.referer_for) link(threat, node(5, u, 1), 1);
    const lists = cols.map(m => Array.from(m.values()));
    const width = 1100;
    const height = layered(lists, width, 18);
    const svg = sv('svg', { viewBox: '0 0 ' + width + ' ' + height, role: 'img', 'aria-label': 'Incident progression', class: 'incident' });
    for (const l of links.values()) {
      const p = sv('path', { class: 'link', d: curve(l.a, l.b), 'stroke-width': 1 + Math.log2(Math.max(1, l.count)) }, svg);
      svTitle(p, l.count + ' request(s)');
    }
    lists.forEach((list, c) => {
      svText(svg, list.length ? list[0].x - 10 : 70 + c * (width - 300) / 5 - 10, 12, names[c], { 'font-weight': 'bold' });
      for (const n of list) {
        const g = sv('g', { class: 'node' }, svg);
        sv('circle', { cx: n.x, cy: n.y, r: 5, fill: c === 4 ? '#c62828' : '#1f5fae' }, g);
        svText(g, n.x + 8, n.y + 4, clip(n.label, 36));
        svTitle(g, names[c] + ': ' + n.label + (c < 5 ? '\n' + n.hits + ' request(s)' : ''));
      }
    });
    return svg;
  }
  function timelinePicture(rows) {
    const lanes = [];
    for (const r of rows) if (!lanes.includes(r.clientip)) lanes.push(r.clientip);
    const W = 1100, L = 130, R = 20, T = 14, lane = 22, B = 26;
    const H = T + Math.max(1, lanes.length) * lane + B;
    const svg = sv('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': 'Timeline', class: 'timeline' });
    const x = s => L + s * (W - L - R) / 86400;
    lanes.forEach((ip, k) => {
      sv('rect', { class: 'lane', x: L, y: T + k * lane + 2, width: W - L - R, height: lane - 4 }, svg);
      svText(svg, L - 6, T + k * lane + lane / 2 + 4, clip(ip, 22), { 'text-anchor': 'end' });
    });
    for (const r of rows) {
      const k = lanes.indexOf(r.clientip);
      const a = x(secondsOfDay(r.tstart)), b = x(secondsOfDay(r.tend));
      const bar = sv('rect', { class: 'bar', x: a - 1.5, y: T + k * lane + 4, width: Math.max(3, b - a + 3), height: lane - 8, fill: codeColour(r.respcode) }, svg);
      svTitle(bar, r.clientip + '  ' + show(r.respcode) + ' ' + show(r.respcodename) + '\n' + r.tstart + ' \u2013 ' + r.tend +
        (r.duration === null ? '' : '\nduration ' + r.duration + ' ms') + (r.requests ? '\n' + r.requests + ' request(s) by this client' : ''));
    }
    const axis = sv('g', { class: 'axis' }, svg);
    const y0 = T + lanes.length * lane + 2;
    sv('line', { x1: L, y1: y0, x2: W - R, y2: y0 }, axis);
    for (let hr = 0; hr <= 24; hr += 2) {
      sv('line', { x1: x(hr * 3600), y1: y0, x2: x(hr * 3600), y2: y0 + 4 }, axis);
      svText(axis, x(hr * 3600), y0 + 16, pad2(hr) + ':00', { 'text-anchor': 'middle' });
    }
    return svg;
  }
  function buildThreats() {
    const box = document.getElementById('t-list');
    box.textContent = '';
    if (!D.threats.length) {
      box.appendChild(h('p', { text: 'No URI is scored on this day yet. Mark some in Suspicious, download the file and run proxy-oa score --date ' + D.date + ' --from FILE, then write the report again.' }));
      return;
    }
    const table = h('table', { cls: 'plain', id: 't-table' });
    table.appendChild(h('tr', {}, ['Severity', 'URI', 'Rows', 'Storyboard'].map(t => h('th', { text: t }))));
    const cards = [];
    D.threats.forEach((t, k) => {
      const sev = h('span', { cls: 'badge sev' + t.uri_sev, text: SEVERITY[t.uri_sev] || String(t.uri_sev) });
      const go = h('button', { type: 'button', text: t.storyboard ? t.storyboard.title : '(none: pictures from the raw day)' });
      table.appendChild(h('tr', {}, [h('td', {}, [sev]), h('td', { cls: 'mono', text: t.fulluri }), h('td', { text: show(t.rows) }), h('td', {}, [go])]));
      const card = h('div', { cls: 'threat', id: 'threat-' + k });
      card.appendChild(h('h3', {}, [sev.cloneNode(true), ' ', h('span', { cls: 'uri', text: t.fulluri })]));
      if (t.storyboard) {
        card.appendChild(h('h4', { text: t.storyboard.title }));
        card.appendChild(h('div', { cls: 'story', text: t.storyboard.text }));
      } else {
        card.appendChild(h('p', { cls: 'hint', text: 'No storyboard saved: the pictures below are computed from the raw day, as proxy-oa storyboard would save them.' }));
      }
      card.appendChild(h('h4', { text: 'Incident progression' }));
      card.appendChild(h('div', { cls: 'picture' }, [incidentPicture(t.incident)]));
      card.appendChild(h('h4', { text: 'Timeline (' + (t.from === 'storyboard' ? 'as saved with the storyboard' : 'top client IPs, from the raw day') + ')' }));
      card.appendChild(h('div', { cls: 'picture' }, [timelinePicture(t.timeline)]));
      go.addEventListener('click', () => card.scrollIntoView());
      cards.push(card);
    });
    box.appendChild(table);
    box.appendChild(h('p', { cls: 'legend hint' }, [
      h('span', { text: 'Timeline colours: ' }),
      ...[['2xx', '200'], ['3xx', '300'], ['4xx', '400'], ['5xx', '500'], ['other', '']].map(([t, code]) => {
        const sw = sv('svg', { width: 12, height: 12, viewBox: '0 0 12 12' });
        sv('rect', { x: 1, y: 1, width: 10, height: 10, fill: codeColour(code) }, sw);
        return h('span', {}, [sw, ' ' + t]);
      }),
    ]));
    for (const c of cards) box.appendChild(c);
  }
  builders.threats = buildThreats;

  // ---- Findings ------------------------------------------------------------------------------------------------
  const FC = index(D.findings.columns);
  function evidenceOf(r) {
    try { return JSON.parse(r[FC.evidence]) || {}; } catch (e) { return {}; }
  }
  // A beacon's connections per bin of the day (RITA's histogram), as bars.
  function histogramPicture(bins) {
    const W = 480, H = 120, L = 30, B = 22, T = 8;
    const max = Math.max(1, ...bins);
    const svg = sv('svg', { width: W, height: H, viewBox: '0 0 ' + W + ' ' + H, class: 'histogram', role: 'img', 'aria-label': 'Connections over the day' });
    const bw = (W - L - 4) / bins.length;
    bins.forEach((n, i) => {
      const hgt = (H - B - T) * n / max;
      const bar = sv('rect', { x: L + i * bw + 1, y: H - B - hgt, width: Math.max(1, bw - 2), height: hgt, class: 'bar' }, svg);
      svTitle(bar, 'bin ' + (i + 1) + ': ' + n + ' connections');
    });
    const axis = sv('g', { class: 'axis' }, svg);
    sv('line', { x1: L, y1: H - B, x2: W - 4, y2: H - B }, axis);
    svText(axis, L - 4, T + 8, String(max), { 'text-anchor': 'end' });
    svText(axis, L, H - 6, 'first connection of the day', {});
    svText(axis, W - 4, H - 6, 'last', { 'text-anchor': 'end' });
    return svg;
  }
  function showFinding(r) {
    const box = document.getElementById('fd-details');
    box.textContent = '';
    const ev = evidenceOf(r);
    box.appendChild(h('h3', { text: show(r[FC.detector]) + ' ' + show(r[FC.score]) + ': ' + show(r[FC.clientip]) + ' → ' + show(r[FC.host]) }));
    if (r[FC.detector] === 'sigma') {
      box.appendChild(h('p', { text: 'Sigma rule "' + show(ev.title) + '" (' + show(ev.level) + ', id ' + show(ev.id) + ') by ' + show(ev.author) + '.' }));
    }
    if (Array.isArray(ev.histogram)) {
      box.appendChild(h('h4', { text: 'Connections over the day (24 equal bins)' }));
      box.appendChild(h('div', { cls: 'picture' }, [histogramPicture(ev.histogram)]));
      box.appendChild(h('p', { text: 'Most common gap ' + show(ev.ts_mode) + ' s (' + show(ev.ts_mode_count) + ' times), median absolute deviation of the gaps ' + show(ev.ts_mad) + ' s, Bowley skew ' + (typeof ev.ts_skew === 'number' ? ev.ts_skew.toFixed(3) : show(ev.ts_skew)) + '.' }));
    }
    const t = h('table', { cls: 'plain', id: 'fd-evidence' });
    for (const k of Object.keys(ev)) {
      if (k === 'histogram') continue;
      const v = ev[k];
      t.appendChild(h('tr', {}, [h('th', { text: k }), h('td', { cls: 'mono', text: typeof v === 'string' ? v : JSON.stringify(v) })]));
    }
    box.appendChild(t);
  }
  function buildFindings() {
    const table = document.getElementById('fd-table');
    const group = document.getElementById('fd-group').value;
    table.textContent = '';
    document.getElementById('fd-count').textContent = D.findings.rows.length + ' findings';
    if (!D.findings.rows.length) {
      table.appendChild(h('tr', {}, [h('td', { text: 'No detector found anything on this day.' })]));
      return;
    }
    const groups = new Map();
    for (const r of D.findings.rows) {
      const k = show(r[FC[group]]);
      if (!groups.has(k)) groups.set(k, []);
      groups.get(k).push(r);
    }
    const head = ['Score', 'Detector', 'Client IP', 'Host', 'URI', 'Connections', 'First', 'Last'];
    for (const [k, rows] of groups) {
      table.appendChild(h('tr', { cls: 'group' }, [h('th', { colspan: String(head.length), text: k + ' (' + rows.length + ')' })]));
      table.appendChild(h('tr', {}, head.map(t => h('th', { text: t }))));
      for (const r of rows) {
        const label = r[FC.detector] === 'sigma' ? 'sigma: ' + show(evidenceOf(r).title) : show(r[FC.detector]);
        const tr = h('tr', { cls: 'finding', 'data-detector': show(r[FC.detector]) }, [
          show(r[FC.score]), label, show(r[FC.clientip]), show(r[FC.host]), show(r[FC.fulluri]), show(r[FC.connections]),
          show(r[FC.first_time]), show(r[FC.last_time]),
        ].map(v => h('td', { text: v })));
        tr.addEventListener('click', () => {
          for (const o of table.querySelectorAll('tr.sel')) o.classList.remove('sel');
          tr.classList.add('sel');
          showFinding(r);
        });
        table.appendChild(tr);
      }
    }
  }
  document.getElementById('fd-group').addEventListener('change', buildFindings);
  builders.findings = buildFindings;

  // ---- Provenance ----------------------------------------------------------------------------------------------
  function buildProvenance() {
    const box = document.getElementById('p-body');
    box.textContent = '';
    const P = D.provenance;
    const info = h('table', { cls: 'plain' });
    const line = (k, v) => info.appendChild(h('tr', {}, [h('th', { text: k }), h('td', { text: v })]));
    line('Tool', D.tool.name + ' ' + D.tool.version);
    line('Day', D.day);
    if (D.stamp) line('Written', D.stamp);
    box.appendChild(info);
    box.appendChild(h('h3', { text: 'Inputs' }));
    const inputs = h('table', { cls: 'plain', id: 'p-inputs' });
    inputs.appendChild(h('tr', {}, P.inputs.columns.map(c => h('th', { text: c }))));
    for (const r of P.inputs.rows) inputs.appendChild(h('tr', {}, r.map(v => h('td', { cls: 'mono', text: show(v) }))));
    box.appendChild(inputs);
    box.appendChild(h('h3', { text: 'Rows of the day' }));
    const counts = h('table', { cls: 'plain', id: 'p-tables' });
    counts.appendChild(h('tr', {}, [h('th', { text: 'table' }), h('th', { text: 'rows' })]));
    for (const [name, n] of P.tables) counts.appendChild(h('tr', {}, [h('td', { cls: 'mono', text: name }), h('td', { text: String(n) })]));
    counts.appendChild(h('tr', {}, [h('td', { text: 'suspicious (unscored) rows in this page' }), h('td', { text: String(RECORDS.length) })]));
    counts.appendChild(h('tr', {}, [h('td', { text: 'proxy_edge rows in this page' }), h('td', { text: String(D.edges.embedded) })]));
    box.appendChild(counts);
    box.appendChild(h('h3', { text: 'Notices' }));
    const notices = P.notices.concat(['The network view draws at most ' + GRAPH_ROWS + ' rows (the table\u2019s first, as filtered and sorted).']);
    for (const n of notices) box.appendChild(h('p', { cls: 'notice', text: n }));
  }
  builders.provenance = buildProvenance;

  // ---- start ---------------------------------------------------------------------------------------------------
  if (D.provenance.notices.length) {
    const first = document.getElementById('view-suspicious');
    first.insertBefore(h('p', { cls: 'notice', text: D.provenance.notices.length + ' notice(s) about what this page holds: see Provenance.' }), first.children[1]);
  }
  renderTable();
  updateMarks();
  if (location.hash.length > 1) openView(location.hash.slice(1));
  window.addEventListener('hashchange', () => openView(location.hash.slice(1)));
  // Printing shows every view and every row: build and draw them all first.
  window.addEventListener('beforeprint', () => {
    for (const name of Object.keys(builders)) if (!built[name]) { built[name] = true; builders[name](); }
    drawRows(true);
  });
  window.addEventListener('afterprint', () => { drawn = { first: -1, last: -1 }; drawRows(false); });
  document.body.dataset.ready = '1';
  // How long the page took to open, its layout included (read by `proxy-oa bench`, which times a 5,000-row day in
  // Chromium): getBoundingClientRect forces the style and layout of everything rendered so far.
  document.body.getBoundingClientRect();
  document.body.dataset.readyMs = String(Math.round(performance.now()));
})();
