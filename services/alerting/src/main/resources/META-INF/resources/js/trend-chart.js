// One topic's trend over a range, drawn with uPlot: volume as bars (left axis), mean sentiment score and
// negative share as lines (right axis, -1..1). After each draw the container carries data-state="drawn" and
// data-points (windows drawn) and data-texts (their summed volume), which the browser test compares with PostgreSQL.
// Clicking the chart lists the texts of the window under the cursor.

import uPlot from '../webjars/uplot/1.6.30/dist/uPlot.esm.js';

const COLOURS = { volume: '#9fb3c8', score: '#1f5fa8', negative: '#c0392b' };

export class TrendChart {
  /** `onWindow(startMs, sizeMs)`: a bar (window) was clicked. */
  constructor(container, onWindow = () => {}) {
    this.container = container;
    this.onWindow = onWindow;
    this.plot = null;
    new ResizeObserver(() => this.plot?.setSize(this.size())).observe(container);
  }

  size() {
    return { width: Math.max(300, this.container.clientWidth), height: 320 };
  }

  /**
   * Rows of GET /v1/trends over [from, to) (epoch ms); the time axis spans exactly that range, however few windows there
   * are. An empty list shows a note instead of a chart.
   */
  draw(rows, { topic, run, resolution, from, to }) {
    const x = rows.map((r) => Date.parse(r.window_start) / 1000);
    const volume = rows.map((r) => Number(r.count));
    const score = rows.map((r) => Number(r.mean_score));
    const negativeShare = rows.map((r) => (Number(r.count) > 0 ? Number(r.negative) / Number(r.count) : null));
    this.destroy();
    const texts = volume.reduce((a, b) => a + b, 0);
    Object.assign(this.container.dataset, { topic, run, resolution, points: String(rows.length), texts: String(texts),
      from: String(from), to: String(to) });
    if (rows.length === 0) {
      const empty = document.createElement('p');
      empty.className = 'empty';
      empty.textContent = `No ${resolution} windows for ${topic} in run ${run} over this range: `
        + 'choose a wider range above, or wait: a window is written about a minute after it ends.';
      this.container.replaceChildren(empty);
      this.container.setAttribute('aria-label', empty.textContent);
      this.container.dataset.state = 'empty';
      return;
    }
    const opts = {
      ...this.size(),
      series: [
        {},
        { label: 'Texts', scale: 'count', fill: COLOURS.volume + 'aa', stroke: COLOURS.volume, width: 1,
          paths: uPlot.paths.bars({ size: [0.8, 40] }), points: { show: false } },
        { label: 'Mean score', scale: 'score', stroke: COLOURS.score, width: 2, value: (u, v) => (v == null ? '–' : v.toFixed(3)) },
        { label: 'Negative share', scale: 'score', stroke: COLOURS.negative, width: 2, dash: [6, 3],
          value: (u, v) => (v == null ? '–' : `${(v * 100).toFixed(1)} %`) },
      ],
      scales: { x: { time: true, range: () => [from / 1000, to / 1000] }, count: { range: (u, min, max) => [0, Math.max(1, max) * 1.1] }, score: { range: [-1, 1] } },
      axes: [
        {},
        { scale: 'count', label: 'texts per window', size: 60 },
        { scale: 'score', side: 1, label: 'score / negative share', grid: { show: false }, size: 60 },
      ],
      legend: { live: true },
      hooks: { ready: [(u) => u.over.addEventListener('click', () => {
        if (u.cursor.idx != null) {
          const row = rows[u.cursor.idx];
          this.onWindow(Date.parse(row.window_start), Number(row.window_size_ms));
        }
      })] },
    };
    this.container.replaceChildren();
    this.plot = new uPlot(opts, [x, volume, score, negativeShare], this.container);
    const first = new Date(x[0] * 1000).toLocaleString();
    const last = new Date(x[x.length - 1] * 1000).toLocaleString();
    this.container.setAttribute('aria-label', `${topic}: ${rows.length} ${resolution} windows from ${first} to ${last}, ${texts} texts`);
    this.container.dataset.state = 'drawn';
  }

  failed(message) {
    this.destroy();
    this.container.dataset.state = 'error';
    this.container.dataset.points = '0';
    const p = document.createElement('p');
    p.className = 'empty';
    p.textContent = message;
    this.container.replaceChildren(p);
  }

  destroy() {
    this.plot?.destroy();
    this.plot = null;
  }

  /** The time axis of the chart drawn last, [min, max] in epoch ms (uPlot's own scale), for checks. */
  axisRange() {
    return this.plot ? [Math.round(this.plot.scales.x.min * 1000), Math.round(this.plot.scales.x.max * 1000)] : null;
  }

  /** Points of the series of the chart drawn last (uPlot's own data), for checks. */
  pointCount() {
    return this.plot ? this.plot.data[0].length : 0;
  }
}
