/**
 * One world in a process of its own: builds it for `customers` (merchants = customers / 20) and
 * generates one simulated day without Kafka or encoding; prints timings and peak RSS as JSON.
 */
import { parseGeneratorConfig } from '../../producers/config.ts';
import { createSimulation } from '../../producers/simulation.ts';
import { backfillEvents } from '../../producers/stream.ts';

const customers = Number(process.argv[2]);
const config = parseGeneratorConfig({
  runId: 'bench-world',
  customers,
  merchants: Math.max(1, Math.round(customers / 20)),
  days: 1,
});
const started = performance.now();
const simulation = createSimulation(config);
const worldSeconds = (performance.now() - started) / 1000;
let events = 0;
for (const batch of backfillEvents(config, simulation)) events += batch.length;
const totalSeconds = (performance.now() - started) / 1000;
console.log(
  JSON.stringify({
    customers,
    worldSeconds,
    totalSeconds,
    events,
    maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
