// The backtest view: a run (GET /v1/runs), an optional range, rule parameter sets edited as JSON, and what each would
// have fired over the run's stored trend windows (POST /v1/backtests), side by side with the defaults, which every
// backtest includes: fired counts per topic and rule, and each set's FIRING and RESOLVED transitions by window time.
// After a backtest #backtest-result carries data-state="done", data-run and data-windows; each count cell
// td[data-rule-set][data-topic][data-rule] and each timeline entry li[data-rule-set][data-topic][data-rule][data-state].

import { api } from './api.js';
import { cell } from './dom.js';

const MAX_TIMELINE_ENTRIES = 300;
const SHOWN_STATES = new Set(['FIRING', 'RESOLVED']);

function element(tag, className, text) {
  const e = document.createElement(tag);
  if (className) {
    e.className = className;
  }
  if (text !== undefined) {
    e.textContent = text;
  }
  return e;
}

/** A datetime-local input's value as an ISO instant, or undefined when empty. */
function isoOf(input) {
  return input.value ? new Date(input.value).toISOString() : undefined;
}

export class BacktestView {
  constructor({ form, result, onError }) {
    this.form = form;
    this.result = result;
    this.onError = onError;
    this.sets = form.querySelector('#backtest-sets');
    this.runSelect = form.querySelector('#backtest-run');
    this.span = form.querySelector('#backtest-span');
    this.runs = [];
    this.defaults = {};
    this.request = 0;
    form.querySelector('#backtest-add').addEventListener('click', () => this.addSet());
    this.runSelect.addEventListener('change', () => this.showSpan());
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.run();
    });
  }

  /** Reads the default parameters and starts with one editable set holding them. */
  async load() {
    try {
      this.defaults = await api('v1/backtests/defaults');
      if (this.sets.children.length === 0) {
        this.addSet();
      }
      this.onError(null);
    } catch (e) {
      this.onError(e);
    }
  }

  /** The runs of GET /v1/runs (those with trend windows), as the main view read them. */
  showRuns(runs) {
    const selected = this.runSelect.value;
    this.runs = runs;
    this.runSelect.replaceChildren(...runs.map((r) => new Option(`${r.run_id} (${r.trend_windows} windows, ${r.topics} topics)`,
      r.run_id, false, r.run_id === selected)));
    if (runs.length === 0) {
      this.runSelect.append(new Option('no runs with trend windows yet', ''));
    }
    this.showSpan();
  }

  showSpan() {
    const run = this.runs.find((r) => r.run_id === this.runSelect.value);
    this.span.textContent = run
      ? `Windows start from ${new Date(run.first_window).toLocaleString()} to ${new Date(run.last_window).toLocaleString()}; leave the range empty for all.`
      : '';
  }

  /** One more rule set to edit: a name and a JSON object of parameters, prefilled with the defaults. */
  addSet() {
    const n = this.sets.children.length + 1;
    const fieldset = element('fieldset', 'rule-set');
    fieldset.append(element('legend', null, `Rule set ${n}`));
    const name = element('input');
    Object.assign(name, { name: 'name', value: n === 1 ? 'candidate' : `candidate-${n}`, required: true, maxLength: 64,
      pattern: '[A-Za-z0-9][A-Za-z0-9._\\-]{0,63}', spellcheck: false });
    const params = element('textarea', 'mono');
    Object.assign(params, { name: 'params', rows: 14, spellcheck: false, value: JSON.stringify(this.defaults, null, 2) });
    const remove = element('button', null, 'Remove');
    remove.type = 'button';
    remove.setAttribute('aria-label', `Remove rule set ${n}`);
    remove.addEventListener('click', () => fieldset.remove());
    const nameLabel = element('label', null, 'Name ');
    nameLabel.append(name);
    const paramsLabel = element('label', null, 'Parameters (JSON; missing ones take the defaults) ');
    paramsLabel.append(params);
    fieldset.append(nameLabel, paramsLabel, remove);
    this.sets.append(fieldset);
  }

  /** The rule sets typed in, by name; throws an Error naming the set whose JSON is not an object. */
  ruleSets() {
    const sets = {};
    for (const fieldset of this.sets.querySelectorAll('fieldset')) {
      const name = fieldset.querySelector('[name=name]').value.trim();
      let params;
      try {
        params = JSON.parse(fieldset.querySelector('[name=params]').value);
      } catch (e) {
        throw new Error(`Rule set ${name}: the parameters are not valid JSON (${e.message}).`);
      }
      if (typeof params !== 'object' || params === null || Array.isArray(params)) {
        throw new Error(`Rule set ${name}: the parameters must be a JSON object, e.g. {"negativeShareSigmas": 6}.`);
      }
      if (name in sets) {
        throw new Error(`Rule set ${name} is named twice.`);
      }
      sets[name] = params;
    }
    return sets;
  }

  async run() {
    const request = ++this.request;
    let body;
    try {
      body = { run: this.runSelect.value, from: isoOf(this.form.elements.from), to: isoOf(this.form.elements.to), rule_sets: this.ruleSets() };
    } catch (e) {
      this.onError(e);
      return;
    }
    const submit = this.form.querySelector('[type=submit]');
    submit.disabled = true;
    this.result.dataset.state = 'running';
    try {
      const report = await api('v1/backtests', { method: 'POST', body });
      if (request === this.request) {
        this.onError(null);
        this.show(report);
      }
    } catch (e) {
      if (request === this.request) {
        this.result.dataset.state = 'error';
        this.onError(e);
      }
    } finally {
      submit.disabled = false;
    }
  }

  /** Forgets the last result (on sign-out: the next analyst starts afresh). */
  clear() {
    this.result.replaceChildren();
    this.result.dataset.state = 'idle';
  }

  /** A report of POST /v1/backtests: the counts table, then one timeline per rule set, side by side. */
  show(report) {
    const heading = element('p', 'backtest-summary',
      `Run ${report.runId}: ${report.windows} windows, ${report.ruleSets.length} rule sets (fired alerts per topic and rule).`);
    this.result.replaceChildren(heading, this.countsTable(report), this.timelines(report));
    Object.assign(this.result.dataset, { state: 'done', run: report.runId, windows: String(report.windows) });
  }

  countsTable(report) {
    const table = element('table', 'backtest-counts');
    table.id = 'backtest-counts';
    const head = element('tr');
    head.append(...['Topic', 'Rule', 'Windows'].map((t) => element('th', null, t)),
      ...report.ruleSets.map((s) => {
        const th = element('th', 'count', s.name);
        th.title = `rule set id ${s.ruleSetId}: ${JSON.stringify(s.params)}`;
        return th;
      }));
    head.querySelectorAll('th').forEach((th) => th.setAttribute('scope', 'col'));
    table.append(element('thead'), element('tbody'), element('tfoot'));
    table.tHead.append(head);
    // Every set lists the same topics in the same order, and every rule of each (Backtest's report).
    const first = report.ruleSets[0];
    first.topics.forEach((topic, i) => {
      for (const rule of Object.keys(topic.fired)) {
        const tr = element('tr');
        tr.append(cell(topic.topic), cell(rule, 'mono'), cell(String(topic.windows), 'count'));
        for (const set of report.ruleSets) {
          const fired = set.topics[i].fired[rule];
          const td = cell(String(fired), fired > 0 ? 'count fired' : 'count');
          Object.assign(td.dataset, { ruleSet: set.name, topic: topic.topic, rule });
          tr.append(td);
        }
        table.tBodies[0].append(tr);
      }
    });
    const total = element('tr');
    const label = cell('All topics');
    label.colSpan = 3;
    total.append(label, ...report.ruleSets.map((s) => {
      const fired = s.topics.reduce((sum, t) => sum + Object.values(t.fired).reduce((a, b) => a + b, 0), 0);
      const td = cell(String(fired), 'count');
      Object.assign(td.dataset, { ruleSet: s.name, total: 'true' });
      return td;
    }));
    table.tFoot.append(total);
    return table;
  }

  timelines(report) {
    const columns = element('div', 'backtest-timelines');
    for (const set of report.ruleSets) {
      const column = element('section', 'backtest-timeline');
      column.dataset.ruleSet = set.name;
      column.append(element('h3', null, set.name), element('p', 'hint', `Rule set ${set.ruleSetId}: FIRING and RESOLVED by window start.`));
      const transitions = set.topics.flatMap((t) => t.timeline).filter((t) => SHOWN_STATES.has(t.state))
        .sort((a, b) => a.windowStart - b.windowStart || a.topic.localeCompare(b.topic) || a.rule.localeCompare(b.rule));
      const list = element('ol', 'timeline');
      list.append(...transitions.slice(0, MAX_TIMELINE_ENTRIES).map((t) => this.entry(set.name, t)));
      if (transitions.length === 0) {
        list.append(element('li', 'placeholder', 'No alert would have fired.'));
      } else if (transitions.length > MAX_TIMELINE_ENTRIES) {
        list.append(element('li', 'placeholder', `… and ${transitions.length - MAX_TIMELINE_ENTRIES} more (the API answer has them all).`));
      }
      column.append(list);
      columns.append(column);
    }
    return columns;
  }

  entry(ruleSet, t) {
    const li = element('li', `alert severity-${t.severity.toLowerCase()} state-${t.state.toLowerCase()}`);
    Object.assign(li.dataset, { ruleSet, topic: t.topic, rule: t.rule, state: t.state, windowStart: String(t.windowStart) });
    li.append(element('span', 'time', new Date(t.windowStart).toLocaleString()), ' ',
      element('span', 'topic', t.topic), ' ', element('span', 'rule', t.rule), ' ',
      element('span', 'badge state', t.state), ' ', element('span', 'badge severity', t.severity),
      element('span', 'message', `observed ${Number(t.observed).toFixed(4)}, threshold ${Number(t.threshold).toFixed(4)}`));
    return li;
  }
}
