// The alert feed: the latest alerts of the analyst's subscriptions (GET /v1/alerts), then each change read from
// GET /v1/alerts/stream prepended as it arrives. Every entry is an <li data-alert-id data-state data-severity
// data-source="list"|"stream">. The stream reconnects with a growing pause; after a reconnect the list is read
// again, so changes made while disconnected are not missed.

import { api, ApiError, readEventStream } from './api.js';

const MAX_ENTRIES = 200;

function formatTime(iso) {
  return iso ? new Date(iso).toLocaleString() : '';
}

function span(className, text) {
  const s = document.createElement('span');
  s.className = className;
  s.textContent = text;
  return s;
}

export class AlertFeed {
  constructor({ list, status, onError, onSelect }) {
    this.list = list;
    this.status = status;
    this.onError = onError;
    this.onSelect = onSelect;
    this.controller = null;
    this.run = 'live';
    /** True for an admin key: the feed holds every alert, not only those of the caller's subscriptions. */
    this.everyAlert = false;
  }

  /** (Re)starts the feed for a run; only the live run has a stream. */
  async start(run) {
    this.stop();
    this.run = run;
    const controller = new AbortController();
    this.controller = controller;
    await this.load(controller.signal);
    if (run === 'live') {
      this.follow(controller);
    } else {
      this.setStatus('closed', `run ${run}: no live stream`);
    }
  }

  stop() {
    this.controller?.abort();
    this.controller = null;
    this.setStatus('closed', 'offline');
  }

  async load(signal) {
    try {
      const alerts = await api('v1/alerts', { query: { run: this.run, limit: 100 }, signal });
      this.list.replaceChildren(...alerts.map((a) => this.entry(a, 'list')));
      if (alerts.length === 0) {
        this.list.append(this.placeholder());
      }
      this.onError(null);
    } catch (e) {
      if (e.name !== 'AbortError') {
        this.list.replaceChildren();
        this.onError(e);
      }
    }
  }

  async follow(controller) {
    let pause = 1000;
    let first = true;
    while (!controller.signal.aborted) {
      this.setStatus('connecting', 'connecting…');
      try {
        await readEventStream('v1/alerts/stream', {
          signal: controller.signal,
          onOpen: () => {
            this.setStatus('open', 'live');
            pause = 1000;
            if (!first) {
              this.load(controller.signal);
            }
            first = false;
          },
          onEvent: (change) => this.prepend(change),
        });
      } catch (e) {
        if (e.name === 'AbortError') {
          return;
        }
        if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
          this.setStatus('closed', 'refused');
          this.onError(e);
          return;
        }
      }
      if (controller.signal.aborted) {
        return;
      }
      this.setStatus('retrying', `reconnecting in ${Math.round(pause / 1000)} s`);
      await new Promise((resolve) => setTimeout(resolve, pause));
      pause = Math.min(pause * 2, 30_000);
    }
  }

  prepend(change) {
    this.list.querySelector('.placeholder')?.remove();
    this.list.prepend(this.entry(change, 'stream'));
    while (this.list.children.length > MAX_ENTRIES) {
      this.list.lastElementChild.remove();
    }
  }

  entry(alert, source) {
    const li = document.createElement('li');
    Object.assign(li.dataset, { alertId: alert.alert_id, state: alert.state, severity: alert.severity, topic: alert.topic, source });
    li.className = `alert severity-${alert.severity.toLowerCase()} state-${alert.state.toLowerCase()}`;
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'alert-open';
    button.append(
      span('badge severity', alert.severity),
      span('badge state', alert.state),
      span('topic', alert.topic),
      span('rule', alert.rule + (alert.rule_set === 'default' ? '' : ` (${alert.rule_set})`)),
      span('time', formatTime(alert.event_time ?? alert.updated_at)),
    );
    button.setAttribute('aria-label', `${alert.severity} ${alert.state}: ${alert.message}`);
    button.addEventListener('click', () => this.onSelect(alert.alert_id));
    const message = span('message', alert.message);
    li.append(button, message);
    return li;
  }

  placeholder() {
    const li = document.createElement('li');
    li.className = 'placeholder';
    const whose = this.everyAlert ? '' : ' for your subscriptions';
    li.textContent = this.run === 'live'
      ? `No alerts${whose} yet. New ones appear here as they happen; with the demo stream of ./monitor up, `
        + 'its first surge fires within about two minutes of the start, then one every 15 minutes. '
        + (this.everyAlert ? '' : 'No subscription covers the topic you watch? Add one under Subscriptions.')
      : `No alerts${whose} in run ${this.run}: choose another run, or backtest its rule sets below.`;
    return li;
  }

  setStatus(state, text) {
    this.status.dataset.state = state;
    this.status.textContent = text;
  }
}
