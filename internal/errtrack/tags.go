package errtrack

import (
	"net/url"
	"sort"
	"strings"
)

// Tag limits keep one chatty SDK from filling the tag table.
const (
	maxTags        = 25
	maxTagKeyLen   = 32
	maxTagValueLen = 200
)

// EventTags returns the tags an event is counted under: its own tags plus
// environment, release, level, server_name, endpoint (the transaction, or
// the request's method and path) and user_id.
func EventTags(ev *Event) map[string]string {
	out := map[string]string{}
	keys := make([]string, 0, len(ev.Tags))
	for k := range ev.Tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if len(out) >= maxTags-6 {
			break
		}
		if k == "" || len(k) > maxTagKeyLen || ev.Tags[k] == "" {
			continue
		}
		out[k] = truncate(ev.Tags[k], maxTagValueLen)
	}
	set := func(k, v string) {
		if v != "" {
			out[k] = truncate(v, maxTagValueLen)
		}
	}
	set("environment", ev.Environment)
	set("release", ev.Release)
	set("level", ev.Level)
	set("server_name", ev.ServerName)
	set("endpoint", Endpoint(ev))
	set("user_id", ev.User.Key())
	return out
}

// Endpoint names the route that failed: the transaction if the SDK named
// one, else the request's method and path without the query.
func Endpoint(ev *Event) string {
	if ev.Transaction != "" {
		return ev.Transaction
	}
	if ev.Request.URL == "" {
		return ""
	}
	p := ev.Request.URL
	if u, err := url.Parse(p); err == nil && u.Path != "" {
		p = u.Path
	}
	return strings.TrimSpace(ev.Request.Method + " " + p)
}
