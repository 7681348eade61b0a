// The dashboard: sign-in with an API key, the run and range to look at, topics with sparklines, the selected
// topic's trend chart, the live alert feed, the analyst's subscriptions and silences, and backtests of rule sets.

import { api, apiKey, ApiError } from './api.js';
import { AlertFeed } from './alert-feed.js';
import { BacktestView } from './backtest.js';
import { sparkline } from './sparkline.js';
import { TrendChart } from './trend-chart.js';
import { showTexts } from './texts.js';
import { Subscriptions, Silences } from './subscriptions.js';

const $ = (selector) => document.querySelector(selector);
const PRESETS = { '1h': 3_600_000, '6h': 6 * 3_600_000, '24h': 24 * 3_600_000, '7d': 7 * 24 * 3_600_000 };

const view = {
  run: 'live',
  topic: null,
  preset: '24h', // null when from/to were typed in
  from: null,
  to: null,
  resolution: 'minute',
};

const chart = new TrendChart($('#chart'), (start, size) => showWindowTexts(start, size));
const feed = new AlertFeed({
  list: $('#alert-feed'),
  status: $('#stream-status'),
  onError: (e) => panelError('.alerts', e),
  onSelect: (id) => showAlert(id),
});
const subscriptions = new Subscriptions($('#subscriptions'), $('#subscription-form'), $('#subs-secret'),
  (e) => panelError('#subscriptions', e));
const silences = new Silences($('#silences'), $('#silence-form'), (e) => panelError('#silences', e));
const backtest = new BacktestView({ form: $('#backtest-form'), result: $('#backtest-result'),
  onError: (e) => panelError('#backtest-form', e) });

// Exposed for the browser test and for debugging from the console.
window.finsent = { view, chart, feed, backtest, refresh: () => refresh() };

/** Shows (or with null, clears) a panel's error; a refused key also goes to the page-wide error. */
function panelError(within, error) {
  const panel = $(within).closest('.panel');
  const p = panel.querySelector('.panel-error');
  if (!error) {
    p.hidden = true;
    p.textContent = '';
    return;
  }
  p.textContent = error instanceof ApiError ? error.describe() : String(error.message ?? error);
  p.hidden = false;
  if (error instanceof ApiError && error.status === 401) {
    pageError(error);
  }
}

function pageError(error) {
  const box = $('#error');
  box.textContent = error ? (error instanceof ApiError ? error.describe() : String(error.message ?? error)) : '';
  box.hidden = !error;
}

const plural = (n, noun) => `${n} ${noun}${Number(n) === 1 ? '' : 's'}`;

// ---- range

function range() {
  if (view.preset) {
    const to = Date.now();
    return { from: to - PRESETS[view.preset], to };
  }
  return { from: view.from, to: view.to };
}

function toLocalInput(ms) {
  const d = new Date(ms);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function showRange() {
  const { from, to } = range();
  $('#from').value = toLocalInput(from);
  $('#to').value = toLocalInput(to);
  for (const b of document.querySelectorAll('[data-preset]')) {
    b.setAttribute('aria-pressed', String(b.dataset.preset === view.preset));
  }
}

// ---- topics and chart

async function loadRuns() {
  const select = $('#run');
  try {
    const runs = await api('v1/runs');
    backtest.showRuns(runs);
    const ids = ['live', ...runs.map((r) => r.run_id).filter((id) => id !== 'live')];
    select.replaceChildren(...ids.map((id) => {
      const run = runs.find((r) => r.run_id === id);
      const o = new Option(run ? `${id} (${plural(run.trend_windows, 'window')}, ${plural(run.alerts, 'alert')})` : id, id);
      o.selected = id === view.run;
      return o;
    }));
  } catch (e) {
    pageError(e);
  }
}

/**
 * Topics by activity: those with a FIRING alert first, then by texts in the range (most first), then by name; the chart
 * opens on the first.
 */
function byActivity(rows, firing) {
  const rank = (t) => (firing.has(t.topic) ? 1 : 0);
  return rows.sort((a, b) => rank(b) - rank(a) || Number(b.count) - Number(a.count) || a.topic.localeCompare(b.topic));
}

async function loadTopics() {
  const { from, to } = range();
  const list = $('#topics');
  try {
    const [summary, definitions, firingAlerts] = await Promise.all([
      api('v1/topics/summary', { query: { run: view.run, from: new Date(from).toISOString(), to: new Date(to).toISOString() } }),
      api('v1/topics').catch(() => []),
      api('v1/alerts', { query: { run: view.run, state: 'FIRING', limit: 1000 } }).catch(() => []),
    ]);
    panelError('#topics', null);
    const names = new Map(definitions.map((d) => [d.id, d.name]));
    const firing = new Set(firingAlerts.map((a) => a.topic));
    const rows = [...summary];
    for (const d of definitions) {
      if (!rows.some((r) => r.topic === d.id)) {
        rows.push({ topic: d.id, count: 0, negative: 0, mean_score: null, negative_share: null, series: [] });
      }
    }
    byActivity(rows, firing);
    list.replaceChildren(...rows.map((t) => topicItem(t, names.get(t.topic), from, to, firing.has(t.topic))));
    if (rows.length === 0) {
      const li = document.createElement('li');
      li.className = 'placeholder';
      li.textContent = view.run === 'live'
        ? 'No texts yet. Scored texts appear here within a minute or two of arriving: push one with ./monitor push "TEXT" --ticker T, '
          + 'add a feed with ./monitor feeds add URL, or import an archive with ./monitor import FILE.'
        : `No texts in run ${view.run} over this range: choose a wider range or another run.`;
      list.append(li);
    }
    if (!view.topic && rows.length > 0) {
      selectTopic(rows[0].topic);
    }
  } catch (e) {
    list.replaceChildren();
    panelError('#topics', e);
  }
}

function topicItem(t, name, from, to, isFiring) {
  const li = document.createElement('li');
  const button = document.createElement('button');
  button.type = 'button';
  button.dataset.topic = t.topic;
  button.setAttribute('aria-pressed', String(t.topic === view.topic));
  const label = document.createElement('span');
  label.className = 'topic-name';
  label.textContent = name && name !== t.topic ? `${name} (${t.topic})` : t.topic;
  const stats = document.createElement('span');
  stats.className = 'topic-stats';
  stats.textContent = (isFiring ? 'alert firing · ' : '') + (t.count === 0 ? 'no texts in this range'
    : `${t.count} texts · score ${Number(t.mean_score).toFixed(2)} · ${(Number(t.negative_share) * 100).toFixed(0)} % negative`);
  Object.assign(button.dataset, { firing: String(isFiring), count: String(t.count) });
  const description = `${t.topic}: ${stats.textContent}, hourly`;
  button.append(label, sparkline(t.series ?? [], from, to, description), stats);
  button.addEventListener('click', () => selectTopic(t.topic));
  li.append(button);
  return li;
}

function selectTopic(topic) {
  view.topic = topic;
  for (const b of document.querySelectorAll('#topics [data-topic]')) {
    b.setAttribute('aria-pressed', String(b.dataset.topic === topic));
  }
  loadChart();
}

let chartRequest = 0;

async function loadChart() {
  if (!view.topic) {
    return;
  }
  const request = ++chartRequest;
  const { from, to } = range();
  const chartBox = $('#chart');
  chartBox.dataset.state = 'loading';
  $('#chart-topic').textContent = `of ${view.topic}`;
  try {
    const rows = await api('v1/trends', {
      query: { topic: view.topic, run: view.run, resolution: view.resolution,
        from: new Date(from).toISOString(), to: new Date(to).toISOString() },
    });
    if (request === chartRequest) {
      panelError('#chart', null);
      chart.draw(rows, { topic: view.topic, run: view.run, resolution: view.resolution, from, to });
    }
  } catch (e) {
    if (request === chartRequest) {
      chart.failed(e instanceof ApiError ? e.describe() : String(e));
      panelError('#chart', e);
    }
  }
}

function refresh() {
  showRange();
  loadTopics();
  loadChart();
}

// ---- alert detail

async function showAlert(id) {
  const dialog = $('#alert-detail');
  try {
    const alert = await api(`v1/alerts/${encodeURIComponent(id)}`);
    $('#alert-detail-title').textContent = `${alert.severity} ${alert.state}: ${alert.rule} on ${alert.topic}`;
    const fields = [['Message', alert.message], ['Rule set', alert.rule_set], ['Run', alert.run_id],
      ['Started', alert.started_at], ['Fired', alert.fired_at], ['Resolved', alert.resolved_at],
      ['Observed', alert.observed], ['Baseline', alert.baseline], ['Threshold', alert.threshold], ['Id', alert.alert_id]];
    $('#alert-detail-fields').replaceChildren(...fields.filter(([, v]) => v !== null && v !== undefined).flatMap(([k, v]) => {
      const dt = document.createElement('dt');
      dt.textContent = k;
      const dd = document.createElement('dd');
      dd.textContent = typeof v === 'number' ? v.toFixed(4) : (/^\d{4}-\d\d-\d\dT/.test(v) ? new Date(v).toLocaleString() : v);
      return [dt, dd];
    }));
    showEvidence(alert.evidence, alert.run_id);
    $('#alert-detail-history').replaceChildren(...alert.history.map((h) => {
      const li = document.createElement('li');
      li.textContent = `${new Date(h.event_time).toLocaleString()}: ${h.state} (${h.severity}) ${h.message}`;
      return li;
    }));
    $('#alert-detail-silence').onclick = () => {
      dialog.close();
      silences.prefill({ topic: alert.topic, rule: alert.rule, rule_set: alert.rule_set });
    };
    dialog.showModal();
  } catch (e) {
    panelError('.alerts', e);
  }
}

/** The texts behind an alert (most telling first), each with the words that made the model read it so, on request. */
function showEvidence(evidence, run) {
  const list = $('#alert-evidence');
  if (!evidence) {
    $('#alert-evidence-summary').textContent = '';
    list.replaceChildren();
    return;
  }
  $('#alert-evidence-summary').textContent = `${plural(evidence.texts_in_windows, 'text')} from ${plural(evidence.distinct_sources, 'source')}, `
    + `${new Date(evidence.from).toLocaleString()} to ${new Date(evidence.to).toLocaleString()}`
    + (evidence.complete ? '' : ' (some texts are still being stored)');
  showTexts(list, evidence.texts, run,
    'No stored texts for these windows (texts are kept 30 days; the scored text sink may still be catching up).');
}

// ---- texts: a chart window's, and search

/** The texts of the chart's window of `size` ms that starts at `start` (epoch ms), listed under the chart. */
async function showWindowTexts(start, size) {
  const list = $('#window-texts');
  $('#window-texts-title').textContent = `Texts of ${view.topic}, ${new Date(start).toLocaleString()} to ${new Date(start + size).toLocaleString()}`;
  list.dataset.windowStart = String(start);
  try {
    const page = await api('v1/texts', { query: { topic: view.topic, run: view.run, from: new Date(start).toISOString(),
      to: new Date(start + size).toISOString(), limit: 100 } });
    panelError('#chart', null);
    showTexts(list, page.texts, view.run, 'No stored texts in this window (texts are kept 30 days).');
    list.dataset.state = 'listed';
  } catch (e) {
    list.replaceChildren();
    panelError('#chart', e);
  }
}

async function searchTexts(q) {
  const { from, to } = range();
  const list = $('#search-results');
  const onTopic = $('#search-topic-only').checked && view.topic;
  try {
    const page = await api('v1/texts', { query: { q, run: view.run, topic: onTopic ? view.topic : null,
      from: new Date(from).toISOString(), to: new Date(to).toISOString(), limit: 50 } });
    panelError('#search-form', null);
    showTexts(list, page.texts, view.run, `No texts match "${q}" in run ${view.run} over this range${onTopic ? ` on ${view.topic}` : ''}.`);
    list.dataset.state = 'listed';
    list.dataset.q = q;
  } catch (e) {
    list.replaceChildren();
    panelError('#search-form', e);
  }
}

// ---- sign-in

async function signIn() {
  pageError(null);
  try {
    const me = await api('v1/analysts/me');
    $('#whoami').textContent = `Signed in as ${me.name} (${me.role})`;
    feed.everyAlert = me.role === 'admin';
    $('#key-form').hidden = true;
    $('#signed-in').hidden = false;
    $('#signed-out-note').hidden = true;
    $('#dashboard').hidden = false;
    document.body.dataset.signedIn = 'true';
    showRange();
    await loadRuns();
    refresh();
    feed.start(view.run);
    subscriptions.load();
    silences.load();
    backtest.load();
  } catch (e) {
    signOut(false);
    pageError(e);
  }
}

function signOut(clearKey = true) {
  if (clearKey) {
    apiKey.clear();
  }
  feed.stop();
  chart.destroy();
  backtest.clear();
  view.topic = null;
  document.body.dataset.signedIn = 'false';
  $('#key-form').hidden = false;
  $('#signed-in').hidden = true;
  $('#signed-out-note').hidden = false;
  $('#dashboard').hidden = true;
  $('#whoami').textContent = '';
}

$('#key-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const key = $('#api-key').value.trim();
  $('#api-key').value = '';
  if (key) {
    apiKey.set(key);
    signIn();
  }
});
$('#sign-out').addEventListener('click', () => {
  signOut();
  pageError(null);
});

$('#run').addEventListener('change', (event) => {
  view.run = event.target.value;
  view.topic = null;
  refresh();
  feed.start(view.run);
});
for (const b of document.querySelectorAll('[data-preset]')) {
  b.addEventListener('click', () => {
    view.preset = b.dataset.preset;
    refresh();
  });
}
$('#range-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const from = Date.parse($('#from').value);
  const to = Date.parse($('#to').value);
  if (Number.isNaN(from) || Number.isNaN(to) || to <= from) {
    panelError('#chart', new Error('Choose a "to" time after the "from" time.'));
    return;
  }
  Object.assign(view, { preset: null, from, to });
  refresh();
});
$('#search-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const q = $('#search-q').value.trim();
  if (q) {
    searchTexts(q);
  }
});
$('#resolution').addEventListener('change', (event) => {
  view.resolution = event.target.value;
  loadChart();
});

// A preset range follows the clock: redraw every minute while one is chosen.
setInterval(() => {
  if (view.preset && document.body.dataset.signedIn === 'true' && !document.hidden) {
    refresh();
  }
}, 60_000);

document.body.dataset.signedIn = 'false';
if (apiKey.get()) {
  signIn();
}
