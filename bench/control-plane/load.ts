/**
 * The load generator of the status benchmark, run as its own process: autocannon against one URL,
 * every response time recorded, so p50/p95/p99 are exact (autocannon's summary has no p95).
 * Prints one JSON line: requests/s, percentiles, errors and non-2xx.
 */
import autocannon from 'autocannon';

const [url, connections = '10', seconds = '15'] = process.argv.slice(2);
if (!url) throw new Error('usage: load.ts <url> [connections] [seconds]');

const times: number[] = [];
const result = await new Promise<autocannon.Result>((resolve, reject) => {
  const instance = autocannon(
    { url, connections: Number(connections), duration: Number(seconds) },
    (error, done) => (error ? reject(error) : resolve(done)),
  );
  instance.on('response', (_client, _status, _bytes, responseTime) => {
    times.push(responseTime);
  });
});
times.sort((a, b) => a - b);
const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? Number.NaN;
console.log(
  JSON.stringify({
    requests: times.length,
    requestsPerSecond: times.length / Number(seconds),
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    max: times.at(-1),
    errors: result.errors,
    non2xx: result.non2xx,
  }),
);
