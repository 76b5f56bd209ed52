import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';

/**
 * Ports handed out lie below the kernel's ephemeral range. A port the kernel picks for `listen(0)`
 * comes from that range — the one outgoing connections take their local ports from — so between
 * our check and the stage's own `listen` a Kafka or HTTP client connection could take it (a stage
 * then died with EADDRINUSE, seen in the control-plane restart test). Nothing takes a port below
 * the range unless asked for it. The native stack's fixed ports lie outside [20000, 28000).
 */
const FIRST = 20_000;
const LAST_EXCLUSIVE = 28_000;

function ephemeralStart(): number {
  try {
    const first = Number(
      readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0],
    );
    return Number.isInteger(first) && first > 0 ? first : 32_768;
  } catch {
    // Not Linux: the IANA dynamic range starts at 49152.
    return 49_152;
  }
}

/** Whether a listener on every interface (as a stage's /metrics is) can take `port` now. */
function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, () => server.close(() => resolve(true)));
  });
}

function kernelPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A port nothing listens on right now, for a process about to listen on it. */
export async function freePort(): Promise<number> {
  const end = Math.min(ephemeralStart(), LAST_EXCLUSIVE);
  if (end - FIRST >= 1000) {
    for (let attempt = 0; attempt < 50; attempt++) {
      const port = FIRST + randomInt(end - FIRST);
      if (await bindable(port)) return port;
    }
  }
  // A machine whose ephemeral range starts low, or a crowded one: the kernel's pick.
  return kernelPort();
}
