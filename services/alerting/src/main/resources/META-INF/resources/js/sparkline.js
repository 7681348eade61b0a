// A topic's hourly series from GET /v1/topics/summary as a small inline SVG: volume shaded, mean score as a line
// (mid-height is a score of 0). Hours without texts are gaps in the series, drawn as zero volume.

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 120;
const HEIGHT = 28;

function element(name, attributes) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attributes)) {
    e.setAttribute(k, v);
  }
  return e;
}

/** series: [{t, count, mean_score}] in time order; from, to: the range in ms (the x axis). */
export function sparkline(series, from, to, description) {
  const svg = element('svg', { width: WIDTH, height: HEIGHT, viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: 'sparkline', role: 'img' });
  const title = element('title', {});
  title.textContent = description;
  svg.append(title);
  svg.setAttribute('aria-label', description);
  svg.append(element('line', { x1: 0, x2: WIDTH, y1: HEIGHT / 2, y2: HEIGHT / 2, class: 'zero' }));
  if (series.length === 0) {
    return svg;
  }
  const span = Math.max(1, to - from);
  const xOf = (t) => ((Date.parse(t) - from) / span) * WIDTH;
  const maxCount = Math.max(1, ...series.map((p) => Number(p.count)));
  const barWidth = Math.max(1, (3_600_000 / span) * WIDTH - 0.5);
  for (const p of series) {
    const h = (Number(p.count) / maxCount) * (HEIGHT - 2);
    svg.append(element('rect', { x: xOf(p.t).toFixed(1), y: (HEIGHT - h).toFixed(1), width: barWidth.toFixed(1), height: h.toFixed(1),
      class: 'volume' }));
  }
  const points = series.filter((p) => p.mean_score !== null)
    .map((p) => `${(xOf(p.t) + barWidth / 2).toFixed(1)},${((1 - Number(p.mean_score)) / 2 * HEIGHT).toFixed(1)}`);
  if (points.length === 1) {
    const [cx, cy] = points[0].split(',');
    svg.append(element('circle', { cx, cy, r: 1.5, class: 'score-dot' }));
  } else if (points.length > 1) {
    svg.append(element('polyline', { points: points.join(' '), class: 'score' }));
  }
  return svg;
}
