// The analyst's subscriptions (what they are told about) and silences (what they are not told about for a while).

import { api } from './api.js';
import { cell } from './dom.js';

function actionCell(label, description, action) {
  const td = document.createElement('td');
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  b.setAttribute('aria-label', description);
  b.addEventListener('click', async () => {
    b.disabled = true;
    try {
      await action();
    } finally {
      b.disabled = false;
    }
  });
  td.append(b);
  return td;
}

function emptyRow(columns, text) {
  const tr = document.createElement('tr');
  const td = cell(text, 'placeholder');
  td.colSpan = columns;
  tr.append(td);
  return tr;
}

function formData(form) {
  return Object.fromEntries(new FormData(form).entries());
}

/** Fills a table's body from an API list, one row per item by the table's own row(), or shows why it could not. */
async function loadRows(table, path, emptyMessage) {
  try {
    const items = await api(path);
    table.body.replaceChildren(...items.map((item) => table.row(item)));
    if (items.length === 0) {
      table.body.append(emptyRow(5, emptyMessage));
    }
    table.onError(null);
  } catch (e) {
    table.body.replaceChildren();
    table.onError(e);
  }
}

export class Subscriptions {
  constructor(table, form, secretNote, onError) {
    this.body = table.tBodies[0];
    this.form = form;
    this.secretNote = secretNote;
    this.onError = onError;
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.create();
    });
  }

  load() {
    return loadRows(this, 'v1/subscriptions', 'No subscriptions: you see no alerts until you subscribe to a topic (or *).');
  }

  row(s) {
    const tr = document.createElement('tr');
    tr.dataset.subscriptionId = s.id;
    const ruleSet = s.rule_params ? `${s.rule_set} ${JSON.stringify(s.rule_params)}` : s.rule_set;
    tr.append(cell(s.topic), cell(s.min_severity), cell(ruleSet, 'mono'), cell(s.webhook_url ?? '—', 'mono'),
      actionCell('Delete', `Delete the subscription to ${s.topic}`, async () => {
        try {
          await api(`v1/subscriptions/${s.id}`, { method: 'DELETE' });
          await this.load();
        } catch (e) {
          this.onError(e);
        }
      }));
    return tr;
  }

  async create() {
    const data = formData(this.form);
    const body = { topic: data.topic.trim(), min_severity: data.min_severity };
    if (data.webhook_url.trim()) {
      body.webhook_url = data.webhook_url.trim();
    }
    if (data.rule_params.trim()) {
      try {
        body.rule_params = JSON.parse(data.rule_params);
      } catch (e) {
        this.onError(new Error(`Rule parameter overrides are not valid JSON: ${e.message}`));
        return;
      }
      if (typeof body.rule_params !== 'object' || body.rule_params === null || Array.isArray(body.rule_params)) {
        this.onError(new Error('Rule parameter overrides must be a JSON object, e.g. {"negativeShareSigmas": 2.5}.'));
        return;
      }
    }
    try {
      const created = await api('v1/subscriptions', { method: 'POST', body });
      this.form.reset();
      this.secretNote.hidden = !created.webhook_secret;
      this.secretNote.textContent = created.webhook_secret
        ? `Subscribed to ${created.topic}. Webhook signing secret (shown this once, keep it): ${created.webhook_secret}`
        : '';
      await this.load();
    } catch (e) {
      this.onError(e);
    }
  }
}

export class Silences {
  constructor(table, form, onError) {
    this.body = table.tBodies[0];
    this.form = form;
    this.onError = onError;
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.create();
    });
    this.resetEnd();
  }

  resetEnd() {
    const d = new Date(Date.now() + 2 * 3_600_000);
    d.setSeconds(0, 0);
    d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
    this.form.elements.ends_at.value = d.toISOString().slice(0, 16);
  }

  /** Fills the form from an alert, for the user to finish (comment, end) and submit. */
  prefill({ topic, rule, rule_set }) {
    this.form.elements.topic.value = topic;
    this.form.elements.rule.value = rule;
    this.form.elements.rule_set.value = rule_set;
    this.form.elements.comment.focus();
    this.form.scrollIntoView({ behavior: 'smooth', block: 'center' });
  }

  load() {
    return loadRows(this, 'v1/silences', 'No silences.');
  }

  row(s) {
    const tr = document.createElement('tr');
    tr.dataset.silenceId = s.id;
    const matchers = `topic=${s.topic} rule=${s.rule} rule_set=${s.rule_set} severity=${s.severity}`;
    const state = s.expired_at ? 'expired' : s.active ? 'active' : (Date.parse(s.starts_at) > Date.now() ? 'pending' : 'ended');
    tr.dataset.state = state;
    tr.append(cell(matchers, 'mono'), cell(new Date(s.ends_at).toLocaleString()), cell(s.comment), cell(state));
    if (state === 'active' || state === 'pending') {
      tr.append(actionCell('Expire', `Expire the silence ${matchers}`, async () => {
        try {
          await api(`v1/silences/${s.id}`, { method: 'DELETE' });
          await this.load();
        } catch (e) {
          this.onError(e);
        }
      }));
    } else {
      tr.append(cell(''));
    }
    return tr;
  }

  async create() {
    const data = formData(this.form);
    const endsAt = Date.parse(data.ends_at);
    if (Number.isNaN(endsAt)) {
      this.onError(new Error('Choose when the silence ends.'));
      return;
    }
    const body = { topic: data.topic.trim() || '*', rule: data.rule, rule_set: data.rule_set.trim() || '*', severity: data.severity,
      ends_at: new Date(endsAt).toISOString(), comment: data.comment.trim() };
    try {
      await api('v1/silences', { method: 'POST', body });
      this.form.reset();
      this.resetEnd();
      await this.load();
    } catch (e) {
      this.onError(e);
    }
  }
}
