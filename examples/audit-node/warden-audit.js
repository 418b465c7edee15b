// warden-audit.js: send audit events to Warden (POST /api/v1/audit/events)
// from a Node app without ever making a request wait on Warden.
//
// log() puts the event in a bounded in-memory queue and returns at once. A
// timer sends the queue in batches. A batch Warden does not acknowledge
// (unreachable, 5xx, 429) is written to an on-disk spool, one fsync'd file
// per batch, and sent again, oldest first, with a growing backoff. When the
// queue is full, the event goes straight to the spool (a local disk write,
// never a network wait). Each event gets its id in log(), and Warden stores an
// id once, so a resend after a lost answer never duplicates it. close()
// sends or spools what is queued; the next client on the same spool
// directory sends the rest. No dependencies: Node 18+ (global fetch).
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');

function createAuditClient(opts) {
  const url = String(opts.url || '').replace(/\/$/, '') + '/api/v1/audit/events';
  if (!opts.url || !opts.token || !opts.spoolDir) throw new Error('warden-audit: url, token and spoolDir are required');
  const queueSize = opts.queueSize || 10000;
  const batchSize = opts.batchSize || 100;
  const flushMs = opts.flushMs || 200;
  const minBackoff = opts.minBackoffMs || 500;
  const maxBackoff = opts.maxBackoffMs || 30000;
  const timeoutMs = opts.timeoutMs || 10000;
  const onError = opts.onError || ((err) => console.warn('warden-audit:', err.message));
  fs.mkdirSync(path.join(opts.spoolDir, 'rejected'), { recursive: true });

  const queue = [];
  const stats = { sent: 0, spooled: 0, rejected: 0 };
  let seq = 0;
  let backoff = 0;
  let retryAt = 0;
  let busy = false;
  let closed = false;
  let timer = null;

  function spoolFiles() {
    return fs.readdirSync(opts.spoolDir).filter((f) => f.endsWith('.json')).sort();
  }

  function spool(batch) {
    seq += 1;
    const name = `${String(process.hrtime.bigint()).padStart(20, '0')}-${String(seq % 1e6).padStart(6, '0')}.json`;
    const tmp = path.join(opts.spoolDir, '.' + name + '.tmp');
    const fd = fs.openSync(tmp, 'wx', 0o600);
    try {
      fs.writeSync(fd, JSON.stringify(batch));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, path.join(opts.spoolDir, name));
    stats.spooled += batch.length;
  }

  // send resolves once Warden has acknowledged the batch (durable and
  // chained); it rejects with err.permanent set for a 4xx that a resend
  // will not fix.
  async function send(batch) {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + opts.token },
      body: JSON.stringify(batch),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    if (res.ok) {
      stats.sent += batch.length;
      return;
    }
    const err = new Error(`Warden answered ${res.status}: ${text.slice(0, 500)}`);
    err.permanent = res.status >= 400 && res.status < 500 && res.status !== 429 && res.status !== 401;
    throw err;
  }

  function failed(err) {
    backoff = backoff ? Math.min(backoff * 2, maxBackoff) : minBackoff;
    retryAt = Date.now() + backoff;
    onError(err);
  }

  async function drainSpool() {
    for (const name of spoolFiles()) {
      const file = path.join(opts.spoolDir, name);
      const batch = JSON.parse(fs.readFileSync(file, 'utf8'));
      try {
        await send(batch);
        fs.unlinkSync(file);
      } catch (err) {
        if (!err.permanent) throw err;
        stats.rejected += batch.length;
        fs.renameSync(file, path.join(opts.spoolDir, 'rejected', name));
        onError(err);
      }
    }
    backoff = 0;
  }

  // pump sends the spool (when a retry is due) and then the queue.
  async function pump() {
    if (busy) return;
    busy = true;
    try {
      if (spoolFiles().length > 0) {
        if (Date.now() < retryAt) return;
        try {
          await drainSpool();
        } catch (err) {
          failed(err);
          while (queue.length) spool(queue.splice(0, batchSize)); // keep order behind the spool
          return;
        }
      }
      while (queue.length) {
        const batch = queue.splice(0, batchSize);
        try {
          await send(batch);
        } catch (err) {
          spool(batch);
          if (err.permanent) continue;
          failed(err);
          while (queue.length) spool(queue.splice(0, batchSize));
          return;
        }
      }
    } finally {
      busy = false;
    }
  }

  function schedule() {
    if (timer || closed) return;
    timer = setTimeout(() => {
      timer = null;
      pump().finally(() => {
        if (queue.length || spoolFiles().length) schedule();
      });
    }, Math.max(flushMs, retryAt - Date.now()));
    timer.unref(); // never keep the app alive just for audit events
  }

  return {
    // log queues an event and returns at once.
    log(event) {
      if (closed) throw new Error('warden-audit: closed');
      if (!event || !event.actor || !event.action || !event.outcome) {
        throw new Error('warden-audit: an event needs actor, action and outcome');
      }
      const e = { id: uuidv7(), time: new Date().toISOString(), ...event };
      if (queue.length >= queueSize) spool([e]);
      else queue.push(e);
      schedule();
    },
    stats() {
      return { ...stats, queued: queue.length, pendingBatches: spoolFiles().length };
    },
    // close sends what it can (one try) and spools the rest.
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      while (busy) await new Promise((r) => setTimeout(r, 10));
      retryAt = 0;
      await pump();
      while (queue.length) spool(queue.splice(0, batchSize));
    },
  };
}

// uuidv7 returns a time-ordered UUID (RFC 9562 version 7: milliseconds,
// then random bits). Warden keeps a unique index on event ids; ids that
// sort in the order they were made append at its right edge, where random
// (version 4) ids would each touch a random page of it.
function uuidv7() {
  const b = crypto.randomBytes(16);
  let ms = Date.now();
  for (let i = 5; i >= 0; i--) {
    b[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  b[6] = (b[6] & 0x0f) | 0x70;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

module.exports = { createAuditClient };
