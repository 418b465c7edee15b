package audit

import (
	"encoding/hex"
	"fmt"
	"time"

	"github.com/transparency-dev/merkle/compact"
)

// verifyDoc is the part of the canonical bytes verify compares; details are
// skipped, since the leaf hash already covers them.
type verifyDoc struct {
	Seq        int64  `json:"seq"`
	Prev       string `json:"prev"`
	RecordedAt string `json:"recorded_at"`
	ID         string `json:"id"`
	Time       string `json:"time"`
	Actor      Actor  `json:"actor"`
	Action     string `json:"action"`
	Target     Target `json:"target"`
	Outcome    string `json:"outcome"`
}

// row is a stored event with its parsed canonical form.
type row struct {
	rec    Record
	doc    verifyDoc
	bad    error // the canonical bytes do not parse
	hashOK bool  // the bytes hash to the stored leaf hash
}

// walker checks events in seq order, one behind the scan, because telling
// a swap from a removal or an insertion needs a look at the next event.
type walker struct {
	rng      *compact.Range
	prev     []byte
	expected int64
	pending  *row
	problem  *Problem
	first    int64  // the first seq after the retention cut
	prevID   string // the id of the last event that checked out
	// bySize holds the checkpoints still to compare, by tree size.
	bySize  map[int64][]sourcedCheckpoint
	maxCP   *sourcedCheckpoint
	lastOK  int64 // the largest checkpoint size that matched
	checked int
	skipped int
}

func newWalker(b base, cps []sourcedCheckpoint) *walker {
	w := &walker{rng: b.clone(), prev: b.lastHash, expected: b.end(), bySize: map[int64][]sourcedCheckpoint{}, lastOK: b.end(), first: b.end()}
	if w.prev == nil {
		w.prev = make([]byte, 32)
	}
	for i, cp := range cps {
		switch {
		case cp.Size < b.end():
			w.skipped++ // older than the retention cut: its leaves are gone
			continue
		case cp.Size == b.end():
			w.checked++
			if cp.Root != hex.EncodeToString(rootOf(w.rng)) {
				w.fail(ProblemRewritten, -1, "", "%s does not match the retention cut at %d", cp.describe(), b.end())
			}
			continue
		}
		w.bySize[cp.Size] = append(w.bySize[cp.Size], cp)
		if w.maxCP == nil || cp.Size > w.maxCP.Size {
			w.maxCP = &cps[i]
		}
	}
	return w
}

func (w *walker) fail(kind string, seq int64, id, format string, args ...any) {
	if w.problem == nil {
		w.problem = &Problem{Kind: kind, Seq: seq, ID: id, Msg: fmt.Sprintf(format, args...)}
	}
}

// feed takes the next stored event, already prepared.
func (w *walker) feed(r *row) error {
	if w.pending != nil {
		w.check(w.pending, r)
	}
	w.pending = r
	if w.problem != nil {
		return errStop
	}
	return nil
}

// finish checks the last event and the checkpoints beyond the end.
func (w *walker) finish() {
	if w.pending != nil {
		w.check(w.pending, nil)
	}
	if w.problem == nil && w.maxCP != nil && w.maxCP.Size > w.expected {
		w.fail(ProblemRemoved, w.expected, "", "the trail ends at %d events but %s covers %d: the newest %d events (%d..%d) were removed",
			w.expected, w.maxCP.describe(), w.maxCP.Size, w.maxCP.Size-w.expected, w.expected, w.maxCP.Size-1)
	}
}

func (w *walker) check(cur, next *row) {
	if w.problem != nil {
		return
	}
	rec, doc, r := cur.rec, cur.doc, cur
	switch {
	case rec.Seq > w.expected:
		if rec.Seq == w.expected+1 {
			w.fail(ProblemRemoved, w.expected, "", "it is missing (the next stored event is %d)", rec.Seq)
		} else {
			w.fail(ProblemRemoved, w.expected, "", "events %d..%d are missing (the next stored event is %d)", w.expected, rec.Seq-1, rec.Seq)
		}
		return
	case cur.bad != nil:
		w.fail(ProblemEdited, rec.Seq, rec.ID, "its stored bytes are not an event: %v", cur.bad)
		return
	case !r.hashOK:
		w.fail(ProblemEdited, rec.Seq, rec.ID, "its bytes no longer hash to its stored hash")
		return
	}
	if doc.Seq != rec.Seq {
		w.misplaced(cur, next)
		return
	}
	if doc.Prev != hex.EncodeToString(w.prev) {
		w.brokenLink(cur, next)
		return
	}
	if col := columnMismatch(rec, doc); col != "" {
		w.fail(ProblemEdited, rec.Seq, rec.ID, "its %s column no longer matches its hashed bytes", col)
		return
	}
	if err := w.rng.Append(rec.Hash, nil); err != nil {
		w.fail(ProblemRewritten, rec.Seq, rec.ID, "%v", err)
		return
	}
	w.prev, w.prevID, w.expected = rec.Hash, rec.ID, rec.Seq+1
	w.compareCheckpoints()
}

// misplaced explains an event stored at a seq other than the one it was
// hashed with.
func (w *walker) misplaced(cur, next *row) {
	rec, doc := cur.rec, cur.doc
	switch {
	case next != nil && doc.Seq == rec.Seq+1 && next.doc.Seq == rec.Seq:
		w.fail(ProblemReordered, rec.Seq, rec.ID, "events %d and %d were swapped (this one was hashed as %d)", rec.Seq, rec.Seq+1, doc.Seq)
	case doc.Seq > rec.Seq:
		w.fail(ProblemRemoved, rec.Seq, "", "it is gone and later events were renumbered (the event hashed as %d is stored as %d)", doc.Seq, rec.Seq)
	default:
		// This event was hashed for an earlier place: whatever sits before
		// it was put there.
		w.fail(ProblemInserted, rec.Seq-1, w.prevID, "Warden did not append it: the event after it was hashed as %d", doc.Seq)
	}
}

// brokenLink explains an event whose prev is not the hash before it.
func (w *walker) brokenLink(cur, next *row) {
	rec := cur.rec
	if next != nil && next.doc.Prev == hex.EncodeToString(w.prev) {
		w.fail(ProblemInserted, rec.Seq, rec.ID, "Warden did not append it: the event after it links past it")
		return
	}
	if rec.Seq == w.first {
		w.fail(ProblemEdited, rec.Seq, rec.ID, "it no longer links to the hash before it")
		return
	}
	w.fail(ProblemEdited, rec.Seq-1, w.prevID, "it was changed and re-hashed: event %d still links to its original hash", rec.Seq)
}

// compareCheckpoints checks the checkpoints of the current tree size.
func (w *walker) compareCheckpoints() {
	size := int64(w.rng.End())
	cps, ok := w.bySize[size]
	if !ok {
		return
	}
	root := hex.EncodeToString(rootOf(w.rng))
	for _, cp := range cps {
		w.checked++
		if cp.Root != root {
			w.fail(ProblemRewritten, w.lastOK, "", "%s (size %d) does not match the recomputed tree: an event in %d..%d was changed and the chain re-hashed after it",
				cp.describe(), size, w.lastOK, size-1)
			return
		}
	}
	w.lastOK = size
}

// columnMismatch names the first queryable column that differs from the
// hashed bytes: queries read the columns, so a lie there is tampering too.
func columnMismatch(rec Record, doc verifyDoc) string {
	ms := func(s string) int64 {
		t, err := time.Parse(TimeFormat, s)
		if err != nil {
			return -1
		}
		return t.UnixMilli()
	}
	switch {
	case rec.ID != doc.ID:
		return "id"
	case rec.Action != doc.Action:
		return "action"
	case rec.ActorType != string(doc.Actor.Type):
		return "actor_type"
	case rec.ActorRef != doc.Actor.ID:
		return "actor_ref"
	case rec.TargetType != doc.Target.Type:
		return "target_type"
	case rec.TargetRef != doc.Target.ID:
		return "target_ref"
	case rec.Outcome != doc.Outcome:
		return "outcome"
	case rec.Time.UnixMilli() != ms(doc.Time):
		return "time"
	case rec.RecordedAt.UnixMilli() != ms(doc.RecordedAt):
		return "recorded_at"
	}
	return ""
}
