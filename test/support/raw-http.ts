import { connect } from 'node:net';

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  json: any;
  /** Milliseconds from the first byte sent to the answer (or the close). */
  ms: number;
}

/**
 * Sends bytes over a plain TCP connection and reads one answer: for what fetch refuses to send
 * (headers over the limit, badly encoded paths, invalid UTF-8, bodies that trickle in).
 * `chunks` after the first are written `gapMs` apart until the server answers or closes.
 */
export function rawRequest(base: string, chunks: Array<string | Buffer>, gapMs = 0, timeoutMs = 30_000): Promise<RawAnswer> {
  const url = new URL(base);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    const received: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    const giveUp = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(giveUp);
      if (timer) clearTimeout(timer);
      const text = Buffer.concat(received).toString('utf8');
      const [head, ...rest] = text.split('\r\n\r\n');
      const lines = head.split('\r\n');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1] ?? 0);
      const headers = Object.fromEntries(
        lines.slice(1).map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
      );
      let body = rest.join('\r\n\r\n');
      if (headers['transfer-encoding'] === 'chunked') {
        let out = '';
        let restText = body;
        for (;;) {
          const nl = restText.indexOf('\r\n');
          const size = parseInt(restText.slice(0, nl), 16);
          if (!size) break;
          out += restText.slice(nl + 2, nl + 2 + size);
          restText = restText.slice(nl + 2 + size + 2);
        }
        body = out;
      }
      let json: any;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      resolve({ status, headers, body, json, ms: Date.now() - started });
    };
    socket.on('data', (d) => {
      received.push(d);
      const text = Buffer.concat(received).toString('utf8');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(text.slice(0, end))?.[1];
      if (length !== undefined && Buffer.byteLength(text.slice(end + 4)) >= Number(length)) {
        socket.destroy();
        finish();
      }
    });
    socket.on('close', () => {
      finish();
    });
    socket.on('error', () => undefined);
    let i = 0;
    const writeNext = () => {
      if (socket.destroyed || i >= chunks.length) return;
      socket.write(chunks[i++]);
      if (i < chunks.length) timer = setTimeout(writeNext, gapMs);
    };
    socket.on('connect', writeNext);
  });
}
