/** A producer process of its own for 1M transactions; prints its peak RSS as the last line. */
import { loadConfig } from '../../core/config/load.ts';
import { createKafkaClient } from '../../core/kafka/client.ts';
import { createLogger } from '../../core/logger.ts';
import { createRegistryCodec } from '../../core/registry/codec.ts';
import { parseGeneratorConfig } from '../../producers/config.ts';
import { runGenerator, topicsOf } from '../../producers/run.ts';

const name = process.argv[2] ?? `rss-${Date.now().toString(36)}`;
const config = loadConfig();
const logger = createLogger({ level: 'warn', pretty: false });
const kafka = createKafkaClient(config.kafka, logger);
const run = parseGeneratorConfig({
  runId: name,
  customers: 10_000,
  merchants: 2_000,
  days: 365,
  maxTransactions: 1_000_000,
  topics: {
    customers: `${name}.c`,
    merchants: `${name}.m`,
    transactions: `${name}.t`,
    labels: `${name}.l`,
    partitions: 6,
  },
});
const summary = await runGenerator(run, { kafka, codec: createRegistryCodec(config.schemaRegistry), logger });
await kafka.close();
console.log(
  JSON.stringify({
    maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    transactions: summary.produced.transaction,
    seconds: (summary.endedAt - summary.startedAt) / 1000,
    topics: Object.values(topicsOf(run)),
  }),
);
