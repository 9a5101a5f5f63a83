/**
 * The Node (V8) flags the bridge runs with in production: `npm start`, the Docker image
 * (`NODE_OPTIONS`) and the benchmarks' bridge process all use exactly these (a test checks).
 *
 * Why: V8 sizes its heap for the machine, not for a bot. On this 24 GB machine a bridge
 * mirroring 100 messages/s grew 16 MB semi-spaces and let garbage pile up to ~130 MB of old
 * space between full collections, for a live set of ~60 MB: peak RSS ~290 MB
 * (`npm run bench:mirror`). With 4 MB semi-spaces and the old space capped at 192 MB the
 * same run peaks at ~160 MB, with the same latency, for some 10 % more CPU in the collector.
 * The cap is three times the live set; an operator linking hundreds of channels raises it
 * (`NODE_OPTIONS=--max-old-space-size=…`, the last flag given wins).
 */
export const PRODUCTION_NODE_FLAGS: readonly string[] = Object.freeze(['--max-semi-space-size=4', '--max-old-space-size=192']);
