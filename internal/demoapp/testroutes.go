package demoapp

import (
	"errors"
	"net/http"
	"strconv"
	"time"
)

// maxSlow caps /api/test/slow so that no demo request outlives the server's
// write timeout or its graceful shutdown.
const maxSlow = 5 * time.Second

// errDeliberate is what /api/test/error fails with. Its text is fixed so
// that every call groups into the same issue in Warden's error tracker.
var errDeliberate = errors.New("deliberate test error: ledger reconciliation failed")

// handleTestError fails the way a real bug would: a 500, an error-level log
// line with the error, and a report through OnError.
func (a *App) handleTestError(w http.ResponseWriter, r *http.Request) {
	a.serverError(w, r, http.StatusInternalServerError, "internal server error", errDeliberate)
}

// handleTestPanic panics, to show that the recovery wrapper answers 500 and
// reports the panic with its stack.
func (a *App) handleTestPanic(w http.ResponseWriter, r *http.Request) {
	var byID map[string]*payment
	// A nil map write is a typical real-world panic, more telling in an
	// error tracker than panic("test").
	byID["pay_missing"] = &payment{}
}

// handleTestSlow answers after ?ms=N milliseconds (capped at 5000), to give
// latency percentiles and response-time checks something to show.
func (a *App) handleTestSlow(w http.ResponseWriter, r *http.Request) {
	d, err := slowDuration(r.URL.Query().Get("ms"))
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if a.slowStarted != nil {
		a.slowStarted()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		writeJSON(w, http.StatusOK, map[string]int64{"slept_ms": d.Milliseconds()})
	case <-r.Context().Done():
		// The client left or shutdown ran out of patience; the answer is
		// for the access log only.
		writeError(w, http.StatusServiceUnavailable, "request cancelled")
	}
}

// slowDuration reads the ms parameter of /api/test/slow, capped at maxSlow
// before it becomes a Duration so that huge values cannot overflow.
func slowDuration(ms string) (time.Duration, error) {
	n, err := strconv.Atoi(ms)
	if err != nil || n < 0 {
		return 0, errors.New("ms: must be a whole number of milliseconds, 0 to 5000")
	}
	return time.Duration(min(n, int(maxSlow/time.Millisecond))) * time.Millisecond, nil
}
