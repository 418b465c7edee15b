// app.js: a tiny Node app for Warden's walkthrough (docs/integrate.md).
// A plain node:http server that
//   - writes one JSON log line per request to stdout (`warden run` ships it),
//   - reports errors with the unmodified @sentry/node SDK (DSN from WARDEN_DSN),
//   - records audit events with the dependency-free client in ../audit-node.
//
//   PORT=3000 WARDEN_URL=http://127.0.0.1:9090 WARDEN_DSN=http://KEY@127.0.0.1:9090/1 \
//   WARDEN_INGEST_TOKEN=... node app.js
'use strict';

const http = require('node:http');
const path = require('node:path');
const Sentry = require('@sentry/node');
const { createAuditClient } = require('../audit-node/warden-audit');

Sentry.init({ dsn: process.env.WARDEN_DSN, release: 'node-app@1.0.0', environment: 'production' });

const audit = createAuditClient({
  url: process.env.WARDEN_URL || 'http://127.0.0.1:9090',
  token: process.env.WARDEN_INGEST_TOKEN,
  spoolDir: process.env.AUDIT_SPOOL_DIR || path.join(__dirname, 'audit-spool'),
  onError: (err) => log('warn', 'audit client: ' + err.message),
});

function log(level, msg, fields) {
  process.stdout.write(JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }) + '\n');
}

class PaymentError extends Error {
  constructor(msg) { super(msg); this.name = 'PaymentError'; }
}

function initiatePayment(amount) {
  if (amount > 1000) throw new PaymentError('payment declined: amount over limit');
  return { id: 'pay-' + Date.now(), amount };
}

function readJSON(req) {
  return new Promise((resolve) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      try { resolve(JSON.parse(Buffer.concat(chunks).toString() || '{}')); } catch { resolve({}); }
    });
  });
}

const server = http.createServer(async (req, res) => {
  const started = Date.now();
  const requestId = req.headers['x-request-id'] || '';
  const url = new URL(req.url, 'http://localhost');
  let status = 200;
  let body = { ok: true };
  try {
    if (url.pathname === '/api/payments' && req.method === 'POST') {
      const input = await readJSON(req); // {"amount": 25, "user": "u-1"}
      const amount = Number(input.amount || 10);
      const user = String(input.user || 'u-1');
      try {
        const payment = initiatePayment(amount);
        audit.log({
          actor: { type: 'user', id: user }, action: 'payment.initiated',
          target: { type: 'payment', id: payment.id }, outcome: 'success',
          client_ip: req.headers['x-forwarded-for'] || req.socket.remoteAddress,
          user_agent: req.headers['user-agent'], request_id: requestId,
          details: { amount: String(amount), currency: 'EUR' },
        });
        status = 201;
        body = payment;
      } catch (err) {
        audit.log({
          actor: { type: 'user', id: user }, action: 'payment.failed',
          outcome: 'failure', request_id: requestId, details: { amount: String(amount) },
        });
        throw err;
      }
    } else if (url.pathname !== '/') {
      status = 404;
      body = { error: 'not found' };
    }
  } catch (err) {
    Sentry.withScope((scope) => {
      scope.setTag('request_id', requestId);
      Sentry.captureException(err);
    });
    log('error', err.message, { error: err.name, request_id: requestId, path: url.pathname });
    status = 500;
    body = { error: 'internal error', request_id: requestId };
  }
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
  log('info', 'request', { method: req.method, path: url.pathname, status, duration_ms: Date.now() - started, request_id: requestId });
});

const port = Number(process.env.PORT || 3000);
server.listen(port, '127.0.0.1', () => log('info', 'listening', { port }));

async function shutdown() {
  server.close();
  await Promise.all([audit.close(), Sentry.flush(5000)]);
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
