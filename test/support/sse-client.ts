// A Server-Sent Events reader over fetch (what a browser's EventSource does, without the automatic
// reconnection): events with their id, name, data and arrival time; comment lines; the retry hint.
// Used by the dashboard tests and bench/dashboard-sse.bench.ts.

export interface SseEvent {
  id?: string;
  event: string;
  data: string;
  /** performance.timeOrigin + performance.now() when the event's last byte was read (epoch ms, sub-ms). */
  receivedAt: number;
}

export interface SseStream {
  status: number;
  /** The next event; rejects after timeoutMs, or when the stream ended first. */
  next(timeoutMs?: number): Promise<SseEvent>;
  comments: string[];
  retry?: number;
  /** Resolves when the server ended the stream. */
  ended: Promise<void>;
  close(): void;
}

const nowMs = () => performance.timeOrigin + performance.now();

export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  const ac = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: ac.signal });
  const queue: SseEvent[] = [];
  const waiters: (() => void)[] = [];
  let done = false;
  const stream: SseStream = {
    status: res.status,
    comments: [],
    ended: Promise.resolve(),
    close: () => ac.abort(),
    next: async (timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      while (queue.length === 0) {
        if (done) throw new Error('the stream ended');
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no event within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
      return queue.shift()!;
    },
  };
  const wake = () => waiters.splice(0).forEach((w) => w());
  const dispatch = (block: string) => {
    const e: SseEvent = { event: 'message', data: '', receivedAt: nowMs() };
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) {
        stream.comments.push(line.slice(1).trim());
        continue;
      }
      const i = line.indexOf(':');
      const field = i < 0 ? line : line.slice(0, i);
      const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
      if (field === 'id') e.id = value;
      else if (field === 'event') e.event = value;
      else if (field === 'data') data.push(value);
      else if (field === 'retry') stream.retry = Number(value);
    }
    if (data.length > 0) {
      e.data = data.join('\n');
      queue.push(e);
    }
  };
  stream.ended = (async () => {
    if (!res.body) return;
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for (;;) {
        const { value, done: end } = await reader.read();
        if (end) break;
        buf += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
        let k: number;
        while ((k = buf.indexOf('\n\n')) >= 0) {
          dispatch(buf.slice(0, k));
          buf = buf.slice(k + 2);
        }
        wake();
      }
    } catch {
      // aborted by close(), or the connection dropped: the stream has ended either way
    } finally {
      done = true;
      wake();
    }
  })();
  return stream;
}

/**
 * The event names a stream still holds after the server ended it (what was sent before the end and
 * not read yet); rejects if the end never comes (a read times out instead).
 */
export async function eventsUntilEnd(s: SseStream, timeoutMs = 100): Promise<string[]> {
  const rest: string[] = [];
  for (;;) {
    try {
      rest.push((await s.next(timeoutMs)).event);
    } catch (e) {
      if (e instanceof Error && e.message.includes('the stream ended')) return rest;
      throw e;
    }
  }
}
