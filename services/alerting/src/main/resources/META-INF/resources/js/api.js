// The alerting REST API (/v1) as the dashboard uses it: every request carries the analyst's X-Api-Key.
// Paths are relative to the page, so the dashboard also works behind a path prefix.

const KEY_STORAGE = 'finsent.apiKey';

/** A refused or failed request: the HTTP status (0: no answer) and the server's {"error": ...} text. */
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }

  /** What the user should read: the server's reason, prefixed with what the status means for them. */
  describe() {
    switch (this.status) {
      case 0: return `The service did not answer (${this.message}). Check that it is running, then reload.`;
      case 401: return `The API key was refused: ${this.message}. Enter a valid key.`;
      case 403: return `Not allowed with this key: ${this.message}`;
      case 503: return `The service is unavailable: ${this.message}`;
      default: return `${this.message} (HTTP ${this.status})`;
    }
  }
}

export const apiKey = {
  get: () => localStorage.getItem(KEY_STORAGE),
  set: (key) => localStorage.setItem(KEY_STORAGE, key),
  clear: () => localStorage.removeItem(KEY_STORAGE),
};

function url(path, query) {
  const u = new URL(path, document.baseURI);
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') {
      u.searchParams.set(name, value);
    }
  }
  return u;
}

async function failure(response) {
  let message = response.statusText || 'request failed';
  try {
    const body = await response.json();
    if (body && typeof body.error === 'string') {
      message = body.error;
    }
  } catch {
    // not JSON: keep the status text
  }
  return new ApiError(response.status, message);
}

/** GET (or another method with a JSON body) against the API; the parsed JSON answer, or null for 204. */
export async function api(path, { method = 'GET', query, body, signal } = {}) {
  const headers = { 'X-Api-Key': apiKey.get() ?? '', Accept: 'application/json' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  let response;
  try {
    response = await fetch(url(path, query), {
      method, headers, signal, body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    if (e.name === 'AbortError') {
      throw e;
    }
    throw new ApiError(0, e.message);
  }
  if (!response.ok) {
    throw await failure(response);
  }
  return response.status === 204 ? null : response.json();
}

/**
 * Reads a server-sent event stream with fetch(), since EventSource cannot send the X-Api-Key header. Calls
 * onOpen() once the server accepted the request and onEvent(json) for each event's data; resolves when the
 * server ends the stream, rejects with an ApiError when it refuses it, with an AbortError when aborted.
 */
export async function readEventStream(path, { signal, onOpen, onEvent }) {
  let response;
  try {
    response = await fetch(url(path), {
      headers: { 'X-Api-Key': apiKey.get() ?? '', Accept: 'text/event-stream' }, signal, cache: 'no-store',
    });
  } catch (e) {
    if (e.name === 'AbortError') {
      throw e;
    }
    throw new ApiError(0, e.message);
  }
  if (!response.ok) {
    throw await failure(response);
  }
  onOpen();
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) {
      return;
    }
    buffer = (buffer + value).replace(/\r\n/g, '\n'); // a CR LF split across chunks is joined here
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block.split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(line.startsWith('data: ') ? 6 : 5))
        .join('\n');
      if (data) {
        onEvent(JSON.parse(data));
      }
    }
  }
}
