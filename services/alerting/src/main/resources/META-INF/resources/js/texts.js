// Scored texts as the dashboard lists them (an alert's evidence, a chart window's texts, search results): title linking
// to the URL, source, time, label and a bar of the negative probability, and on request the words that made the model
// read it so (GET /v1/texts/{id}/explanation, computed by the scorer), each marked by its weight.

import { api, ApiError } from './api.js';

/** One text as a list item; `run` is the run it was stored under. */
export function textItem(t, run) {
  const li = document.createElement('li');
  li.dataset.textId = t.id;
  const headline = document.createElement(t.url ? 'a' : 'span');
  headline.className = 'evidence-title';
  headline.textContent = t.title || t.body || t.id;
  if (t.url && /^https?:\/\//i.test(t.url)) {
    headline.href = t.url;
    headline.target = '_blank';
    headline.rel = 'noopener noreferrer';
  }
  const meta = document.createElement('span');
  meta.className = 'evidence-meta';
  meta.textContent = `${t.source} · ${new Date(t.published_at).toLocaleString()} · ${t.label.toLowerCase()}`;
  const why = document.createElement('button');
  why.type = 'button';
  why.className = 'why';
  why.textContent = 'Why?';
  why.title = 'Highlight the words that made the model read this text so';
  const words = document.createElement('p');
  words.className = 'explanation';
  words.hidden = true;
  why.addEventListener('click', () => explain(t.id, run, words, why));
  meta.append(' ', why);
  const bar = document.createElement('meter');
  bar.min = 0;
  bar.max = 1;
  bar.value = t.p_negative;
  bar.title = `negative probability ${Number(t.p_negative).toFixed(2)}`;
  bar.className = 'evidence-bar';
  li.append(headline, meta, bar, words);
  return li;
}

/** Fills a list with texts, or a note when there are none. */
export function showTexts(list, texts, run, emptyNote) {
  if (texts.length === 0) {
    const li = document.createElement('li');
    li.className = 'empty';
    li.textContent = emptyNote;
    list.replaceChildren(li);
    return;
  }
  list.replaceChildren(...texts.map((t) => textItem(t, run)));
}

/**
 * The text the model read, each word in a <mark> whose colour says how much removing it lowers the probability of the
 * label (red: it pushed towards the label, blue: against it); data-weight carries the weight for checks.
 */
async function explain(id, run, box, button) {
  if (!box.hidden) {
    box.hidden = true;
    return;
  }
  button.disabled = true;
  box.hidden = false;
  box.dataset.state = 'loading';
  box.textContent = 'Asking the model …';
  try {
    const e = await api(`v1/texts/${encodeURIComponent(id)}/explanation`, { query: { run } });
    const max = Math.max(1e-9, ...e.tokens.map((w) => Math.abs(w.weight)));
    const parts = [];
    let at = 0;
    for (const w of e.tokens) {
      parts.push(document.createTextNode(e.text.slice(at, w.start)));
      const mark = document.createElement('mark');
      mark.textContent = e.text.slice(w.start, w.end);
      mark.dataset.weight = String(w.weight);
      const strength = Math.abs(w.weight) / max;
      mark.className = w.weight >= 0 ? 'for' : 'against';
      mark.style.setProperty('--strength', strength.toFixed(3));
      mark.title = `${w.weight >= 0 ? '+' : ''}${w.weight.toFixed(4)}: removing it ${w.weight >= 0 ? 'lowers' : 'raises'} p(${e.label})`;
      parts.push(mark);
      at = w.end;
    }
    parts.push(document.createTextNode(e.text.slice(at)));
    const note = document.createElement('span');
    note.className = 'hint';
    note.textContent = ` ${e.label} ${(e.probabilities[e.label] * 100).toFixed(0)} % (${e.model})`;
    box.replaceChildren(...parts, note);
    box.dataset.state = 'explained';
    box.dataset.label = e.label;
  } catch (err) {
    box.dataset.state = 'error';
    box.textContent = err instanceof ApiError ? err.describe() : String(err.message ?? err);
  } finally {
    button.disabled = false;
  }
}
