// Package audit is Warden's tamper-evident audit trail: who did what, to
// what, with what outcome, kept so that any later edit, deletion, insertion
// or reordering is detected, and any one event can be proven to be in it.
//
// # Pipeline
//
// Append validates an event against the action taxonomy, scrubs its details
// and queues it for the single writer goroutine. The writer gathers what is
// queued into one transaction (holding a PostgreSQL advisory lock, or
// SQLite's write lock, so no other instance can fork the chain), links each
// event to the one before and answers every caller only after the commit.
// A full queue answers *BusyError at once: overload gets 429, not memory.
//
// # What is hashed
//
// Each event is encoded once, at append, into canonical bytes: JSON with
// keys sorted at every level, no insignificant whitespace, fixed-width UTC
// nanosecond times, every field present, plus its seq (its Merkle leaf
// index) and prev, the leaf hash of the event before it. Those bytes are
// stored verbatim and never re-serialised (PostgreSQL's jsonb would reorder
// them). The leaf hash is RFC 6962's SHA-256(0x00 || bytes), and all leaves
// form an RFC 6962 Merkle tree (github.com/transparency-dev/merkle).
// Checkpoints sign the tree size and root with an ed25519 key kept outside
// the database and are published to a file and optionally a webhook: only a
// copy outside the database catches the deletion of the newest events or a
// rewrite of the whole trail. Verify recomputes everything and names the
// first event that does not fit; InclusionProof proves one event against a
// checkpoint for any RFC 6962 verifier.
//
// # Personal data
//
// The choice: user ids are kept out of the hashed bytes as keyed
// pseudonyms. When an actor's type is user, or a target's type is user, the
// hashed id is "psn_" + HMAC-SHA256(key, user id) (truncated to 128 bits),
// where key is random per user and lives in audit_subjects, a table outside
// the hashed bytes and deliberately mutable. Readers see the real id, found
// through that table. An erasure request (EraseSubject) deletes the user's
// key: their events stay, chained and provable, but the pseudonym can no
// longer be linked to them, and because it is keyed, not a plain hash, not
// even guessing the id confirms it. Verify checks every remaining mapping
// against its HMAC, so the table cannot be redirected to another user.
//
// What this does not cover: client_ip, user_agent and details are hashed as
// sent. Details are scrubbed of card numbers, IBANs, national ids and
// secrets before hashing; apps should not put names or e-mail addresses in
// them. Keeping the IP address of a payment or login is a legal obligation
// under PSD2 (strong customer authentication, fraud monitoring), for which
// GDPR Art. 17(3)(b) exempts the record from erasure until retention ends.
//
// # Retention
//
// ApplyRetention removes the oldest events recorded longer than the
// retention ago (default 5 years), never a younger one and never the newest
// event, in one transaction with a signed retention checkpoint that keeps
// the compact Merkle range of what went: verify and proofs go on from it.
// The delete passes the tables' triggers only through a permit row inserted
// in the same transaction, whose cutoff the trigger also bounds by the
// database's own clock and floor (audit_settings.min_retention_ms).
//
// # PostgreSQL roles
//
// The triggers stop the application and honest mistakes; a superuser can
// drop them, which is why verify and the published checkpoints exist. To
// keep the application role from dropping or disabling the triggers, hand
// the tables to a role nobody can log in as; auditsql.OwnerSetupSQL prints
// the statements:
//
//	CREATE ROLE warden_audit_owner NOLOGIN;
//	ALTER TABLE audit_events OWNER TO warden_audit_owner;   -- and the other guarded tables and functions
//	GRANT SELECT, INSERT, DELETE ON audit_events TO warden; -- DELETE only passes with a retention permit
//	GRANT SELECT, INSERT ON audit_checkpoints TO warden;
//	GRANT SELECT ON audit_settings TO warden;               -- the owner sets the retention floor
package audit
