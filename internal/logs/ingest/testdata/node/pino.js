// Logs with pino to stdout, for the logs ingest tests (the process is run
// under `warden run` or piped into `warden logs ingest`): numeric levels
// (30 info, 40 warn, 50 error), msg, time in milliseconds, child bindings,
// an Error through pino's err serializer.
const pino = require('pino');

const log = pino({ base: { pid: process.pid, hostname: 'web-1' } });
log.info({ order_id: 'P-1' }, 'pino order placed');
const child = log.child({ module: 'payments' });
class CardError extends Error { constructor (m) { super(m); this.name = 'CardError'; } }
child.error({ order_id: 'P-2', err: new CardError('card declined') }, 'pino payment failed');
log.warn('pino slow render');
