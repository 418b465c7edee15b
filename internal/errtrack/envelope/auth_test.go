package envelope

import (
	"net/http/httptest"
	"testing"
)

func TestKey(t *testing.T) {
	const k = "abc123def4564567890abcdef1234567"
	for _, tc := range []struct {
		name    string
		headers map[string][]string
		query   string
		dsn     string
		want    string
		wantErr bool
	}{
		{name: "X-Sentry-Auth", headers: map[string][]string{"X-Sentry-Auth": {"Sentry sentry_version=7, sentry_client=sentry.go/0.50.0, sentry_key=" + k}}, want: k},
		{name: "X-Sentry-Auth without prefix", headers: map[string][]string{"X-Sentry-Auth": {"sentry_key=" + k + ",sentry_version=7"}}, want: k},
		{name: "Authorization", headers: map[string][]string{"Authorization": {"Sentry sentry_key=" + k}}, want: k},
		{name: "query", query: "sentry_version=7&sentry_key=" + k + "&sentry_client=x", want: k},
		{name: "envelope dsn", dsn: "http://" + k + "@127.0.0.1:9090/7", want: k},
		{name: "header wins over dsn", headers: map[string][]string{"X-Sentry-Auth": {"Sentry sentry_key=" + k}}, dsn: "http://other@h/1", want: k},
		{name: "bearer ignored, nothing else", headers: map[string][]string{"Authorization": {"Bearer x"}}, wantErr: true},
		{name: "missing", wantErr: true},
		{name: "header and query", headers: map[string][]string{"X-Sentry-Auth": {"Sentry sentry_key=" + k}}, query: "sentry_key=" + k, wantErr: true},
		{name: "query twice", query: "sentry_key=a&sentry_key=b", wantErr: true},
		{name: "header twice", headers: map[string][]string{"X-Sentry-Auth": {"Sentry sentry_key=a", "Sentry sentry_key=b"}}, wantErr: true},
		{name: "key twice in header", headers: map[string][]string{"X-Sentry-Auth": {"Sentry sentry_key=a, sentry_key=b"}}, wantErr: true},
		{name: "header without key", headers: map[string][]string{"X-Sentry-Auth": {"Sentry sentry_version=7"}}, wantErr: true},
		{name: "empty query key", query: "sentry_key=", wantErr: true},
		{name: "dsn without key", dsn: "http://127.0.0.1/7", wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/api/7/envelope/?"+tc.query, nil)
			for h, vs := range tc.headers {
				for _, v := range vs {
					r.Header.Add(h, v)
				}
			}
			got, err := Key(r, tc.dsn)
			if tc.wantErr {
				if err == nil || !IsAuthError(err) {
					t.Fatalf("got %q, %v; want an AuthError", got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}
