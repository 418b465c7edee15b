// Logs with pino to stdout, for the logs ingest tests (the process is run
// under `warden run` or piped into `warden logs ingest`): numeric levels
// (30 info, 50 error), msg, time in milliseconds, child bindings.
const pino = require('pino');

const log = pino({ base: { pid: process.pid, hostname: 'web-1' } });
log.info({ order_id: 'P-1' }, 'pino order placed');
const child = log.child({ module: 'payments' });
child.error({ order_id: 'P-2', err: { type: 'CardError', message: 'declined' } }, 'pino payment failed');
log.warn('pino slow render');
