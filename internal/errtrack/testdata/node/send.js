// Sends errors to Warden with the real @sentry/node SDK, for errtrack's
// end-to-end test: handled errors (one bug twice, one with a body over
// 32 KiB so that the SDK gzips it), another bug, two messages of one kind,
// two errors under one custom fingerprint, and finally an unhandled
// exception, which the SDK reports before the process exits.
const Sentry = require('@sentry/node');

Sentry.init({ dsn: process.env.WARDEN_DSN, release: 'shop@3.1.0', environment: 'test' });
Sentry.setUser({ id: '7' });

class PaymentError extends Error {
  constructor(code) { super('payment declined: ' + code); this.name = 'PaymentError'; }
}
function chargeCard(amount) {
  try { if (amount > 100) throw new PaymentError('insufficient_funds ' + amount); } catch (e) { return e; }
}
function refund(order) { return new Error('refund of order ' + order + ' timed out'); }

const big = 'x'.repeat(40 * 1024);
[250, 990].forEach((amount, i) => {
  const err = chargeCard(amount);
  Sentry.withScope((scope) => {
    if (i === 1) scope.setExtra('blob', big);
    Sentry.captureException(err);
  });
});
Sentry.captureException(refund('A-17'));
Sentry.captureMessage('queue depth 17 over limit 10');
Sentry.captureMessage('queue depth 99 over limit 10');
for (const msg of ['stripe 502', 'stripe connection reset']) {
  Sentry.withScope((scope) => {
    scope.setFingerprint(['payment-provider-down']);
    Sentry.captureException(new Error(msg));
  });
}
Sentry.flush(10000).then((ok) => {
  console.log('flushed', ok);
  setTimeout(() => { throw new TypeError('Cannot read properties of undefined (reading \'id\')'); }, 10);
});
