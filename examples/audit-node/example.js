// example.js: log COUNT login events through warden-audit.js, close, and
// print the client's counters as JSON. Used by example_test.go.
//
//   WARDEN_URL=http://127.0.0.1:9090 WARDEN_INGEST_TOKEN=... SPOOL_DIR=./spool COUNT=10 node example.js
'use strict';

const { createAuditClient } = require('./warden-audit');

async function main() {
  const audit = createAuditClient({
    url: process.env.WARDEN_URL,
    token: process.env.WARDEN_INGEST_TOKEN,
    spoolDir: process.env.SPOOL_DIR,
    flushMs: 20,
    minBackoffMs: 50,
    onError: () => {}, // the counters below say what happened
  });
  const count = Number(process.env.COUNT || 10);
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    // In an app this sits in the login handler: it returns at once.
    audit.log({
      actor: { type: 'user', id: `u-${i % 5}` },
      action: 'auth.login.success',
      outcome: 'success',
      client_ip: '198.51.100.7',
      user_agent: 'node-example',
      details: { method: 'bankid', attempt: i },
    });
  }
  const logMs = Number(process.hrtime.bigint() - started) / 1e6;
  // Give the sender a moment while the "app" runs, then shut down.
  await new Promise((r) => setTimeout(r, Number(process.env.RUN_MS || 300)));
  await audit.close();
  console.log(JSON.stringify({ ...audit.stats(), logMs }));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
