package webhook_test

import (
	"io"
	"net/http"
	"time"

	"github.com/wardenhq/warden/internal/alert/webhook"
)

// A receiver checks the signature over the raw body and refuses old
// timestamps before it trusts the payload.
func ExampleVerify() {
	secret := "from-your-secret-store"
	http.HandleFunc("/warden", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 10<<20))
		if err != nil {
			http.Error(w, "read error", http.StatusBadRequest)
			return
		}
		ts := r.Header.Get(webhook.HeaderTimestamp)
		if !webhook.Fresh(ts, time.Now(), webhook.DefaultTolerance) ||
			!webhook.Verify(secret, ts, body, r.Header.Get(webhook.HeaderSignature)) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		// Decode body into webhook.Message and act on it.
		w.WriteHeader(http.StatusNoContent)
	})
}
