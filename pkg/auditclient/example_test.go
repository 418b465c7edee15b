package auditclient_test

import (
	"context"
	"net/http"
	"os"

	"github.com/wardenhq/warden/pkg/auditclient"
)

// An app creates one client at start-up, logs from its handlers (Log never
// waits on Warden) and closes it at shutdown (what Warden has not
// acknowledged stays in the spool for the next start).
func Example() {
	audit, err := auditclient.New(auditclient.Options{
		URL:      "http://127.0.0.1:9090",
		Token:    os.Getenv("WARDEN_INGEST_TOKEN"),
		SpoolDir: "/var/lib/app/audit-spool",
	})
	if err != nil {
		panic(err)
	}
	defer audit.Close(context.Background())

	http.HandleFunc("POST /api/payments/{id}/refund", func(w http.ResponseWriter, r *http.Request) {
		// ... refund the payment ...
		audit.Log(r.Context(), auditclient.Event{
			Actor:    auditclient.Actor{Type: "user", ID: r.Header.Get("X-User-ID")},
			Action:   "payment.refunded",
			Target:   &auditclient.Target{Type: "payment", ID: r.PathValue("id")},
			Outcome:  auditclient.Success,
			ClientIP: r.RemoteAddr,
			Details:  map[string]any{"amount": "12.50", "currency": "EUR"},
		})
		w.WriteHeader(http.StatusNoContent)
	})
}
