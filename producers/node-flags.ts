/**
 * Node flags of a producer process. V8 sizes semi-spaces from physical memory (64 MB each on a
 * 24 GiB machine), for the generating thread and the sending thread alike, and most of a producer's
 * RSS was that headroom, not live data. `node bench/producers/rss-child.ts` (1M transactions, 10,000
 * customers, 2026-12-02, two runs each): default flags 881 / 878 MB peak RSS at 89,944 / 95,120
 * tx/s; 16 MB semi-spaces 713 / 726 MB at 89,429 / 95,057; 8 MB 647 / 624 MB at 88,692 / 86,066;
 * 4 MB 649 / 650 MB at 90,703 / 83,278. Over six paired runs (those two, three more and the bench's)
 * 16 MB averaged 79,000 tx/s against 81,700 by default, ~3% slower, inside the spread of runs here
 * (65,000–95,000), for 160–210 MB less RSS. Passed by the control
 * plane's launcher, `synfin produce`, `npm run produce` and the bench; deploy/README.md says how to
 * pass it elsewhere.
 */
export const PRODUCER_NODE_FLAGS = ['--max-semi-space-size=16'] as const;
