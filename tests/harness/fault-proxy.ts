/**
 * A TCP proxy between a client and a server that breaks chosen HTTP requests on purpose, so a test
 * decides when a database "fails" instead of hoping a stopped server hits an insert:
 * - `lose-response`: the request reaches the server whole (the insert happens), the answer is
 *   dropped and the client's connection reset — a write that landed but looks failed;
 * - `cut-request`: the request is cut off after its head and a few bytes of its body — a server
 *   that went away mid-insert.
 * Each armed fault fires once, on the next request whose request line matches it (faults matching
 * the same requests fire in the order they were armed).
 */
import net from 'node:net';

export type FaultKind = 'lose-response' | 'cut-request';

export interface FaultProxy {
  /** host:port to point the client at. */
  readonly url: string;
  /** `request` is matched against the request line (`POST /?query=INSERT+INTO+… HTTP/1.1`). */
  arm(kind: FaultKind, request: RegExp): void;
  /** Faults that fired, in order. */
  readonly fired: FaultKind[];
  /** Faults still waiting for their request. */
  readonly armed: number;
  close(): Promise<void>;
}

/** Bytes of a cut request's body that still reach the server: less than one row. */
const CUT_AFTER_BODY_BYTES = 16;

export async function faultProxy(target: { host: string; port: number }): Promise<FaultProxy> {
  const faults: { kind: FaultKind; request: RegExp }[] = [];
  const fired: FaultKind[] = [];
  const sockets = new Set<net.Socket>();

  const server = net.createServer((client) => {
    const upstream = net.connect(target);
    sockets.add(client);
    sockets.add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
    /** The answer to the request in flight is to be dropped. */
    let dropAnswer = false;
    client.on('data', (chunk: Buffer) => {
      const text = faults.length > 0 ? chunk.toString('latin1') : '';
      const line = /^(?:POST|GET) [^\r\n]*/m.exec(text);
      const index = line ? faults.findIndex((armed) => armed.request.test(line[0])) : -1;
      const fault = faults[index];
      if (line && fault) {
        const at = line.index;
        faults.splice(index, 1);
        fired.push(fault.kind);
        if (fault.kind === 'cut-request') {
          const bodyAt = text.indexOf('\r\n\r\n', at);
          const cut = bodyAt < 0 ? chunk.length : Math.min(chunk.length, bodyAt + 4 + CUT_AFTER_BODY_BYTES);
          upstream.write(chunk.subarray(0, cut), () => end());
          return;
        }
        dropAnswer = true;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (dropAnswer) {
        // The server has answered, so it has done the work: the client never hears of it.
        end();
        return;
      }
      client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `127.0.0.1:${port}`,
    arm(kind, request) {
      faults.push({ kind, request });
    },
    fired,
    get armed() {
      return faults.length;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
