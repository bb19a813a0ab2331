/**
 * The V8 flags every Suyuan service process runs with. Where a service starts passes them: `npm
 * start` on its command line, the image (infra/Dockerfile, for the embedded platform and every
 * service of docker-compose.yml) in NODE_OPTIONS, the tests' and the bench's processes
 * (test/support/service-process.ts) from here; test/unit/common/runtime/node-flags.test.ts holds
 * the first two to this list.
 *
 * `--max-semi-space-size=64` (MiB; V8's default here is 16): a 1000-event POST allocates its parsed,
 * validated and encoded events by the megabyte, and most die young. With a young generation four
 * times larger the main thread of the embedded platform spent 17–19 % of its time collecting
 * garbage instead of 25 % (CPU profiles of 192 × 1000-event POSTs, small bench graph), and in
 * alternating probes single-event POSTs went from 2 432–2 727 to 2 752–2 943 events/s and the
 * 1000-event rounds drained at 4 161–4 629 events/s instead of 3 924–4 238. The cost is memory: each
 * isolate (the main thread, and each worker thread) may keep up to 96 MiB more young space; the
 * embedded platform's anonymous memory at the end of the online bench went from 690 to 897 MiB
 * (small graph) and from 789 to 1 018 MiB (1M-batch graph).
 */
export const SERVICE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];
