// Ships lines to Warden's Loki push API with winston-loki, a real Loki
// client: protobuf (protobufjs) compressed with snappy (the native snappy
// package), as Promtail and Alloy send. It falls back to JSON quietly when
// snappy does not load, so this script refuses to run without it.
require('snappy');
const winston = require('winston');
const LokiTransport = require('winston-loki');

let failed = null;
const transport = new LokiTransport({
  host: process.env.WARDEN_URL,
  headers: { Authorization: 'Bearer ' + process.env.WARDEN_TOKEN },
  // winston-loki writes label values unescaped: a '"' in one is refused
  // (400 naming the column), as Loki refuses it.
  labels: { app: 'winston-shop', region: 'eu-west' },
  json: false,
  batching: true,
  interval: 30, // the batch goes out at close(), well before this
  replaceTimestamp: false,
  onConnectionError: (err) => { failed = err; },
});
if (transport.batcher.contentType !== 'application/x-protobuf') {
  console.error('winston-loki is not sending protobuf: ' + transport.batcher.contentType);
  process.exit(2);
}
const logger = winston.createLogger({ transports: [transport], format: winston.format.json() });

logger.info('loki order placed', { order_id: 'L-1' });
logger.error('loki payment failed', { order_id: 'L-2', labels: { team: 'payments' } });

// close() sends what is batched and waits for the answer.
Promise.resolve(transport.close()).then(() => {
  if (failed) {
    console.error('push failed:', failed);
    process.exit(2);
  }
  console.log('flushed loki ' + transport.batcher.contentType);
  process.exit(0);
}, (err) => { console.error('flush failed:', err); process.exit(2); });
