// Package auditui is the audit trail's web UI page: search and filter the
// trail, see one event with its inclusion proof, the latest checkpoint and
// the result of the last verification, and run a verification.
package auditui

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/wardenhq/warden/internal/audit"
	"github.com/wardenhq/warden/internal/auth"
	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/ui"
)

//go:embed templates/*.html
var templates embed.FS

// Page serves /ui/audit and /ui/audit/events/{seq}.
type Page struct {
	Service *audit.Service
	UI      *ui.UI
	list    *template.Template
	detail  *template.Template
}

// pageSize is how many events one page of the list shows.
const pageSize = 50

// Register adds the pages and the overview panel to the UI.
func (p *Page) Register() error {
	var err error
	if p.list, err = template.New("audit").Funcs(p.UI.Funcs()).ParseFS(templates, "templates/audit.html"); err != nil {
		return fmt.Errorf("audit ui: %w", err)
	}
	if p.detail, err = template.New("event").Funcs(p.UI.Funcs()).ParseFS(templates, "templates/event.html"); err != nil {
		return fmt.Errorf("audit ui: %w", err)
	}
	p.UI.AddPage(ui.Page{Path: "/ui/audit", Title: "Audit trail", Nav: true, Order: 40, Scope: config.ScopeAudit, Handler: p.show, Post: p.post})
	p.UI.AddPage(ui.Page{Path: "/ui/audit/events/{seq}", Title: "Audit event", Scope: config.ScopeAudit, Handler: p.event})
	p.UI.AddOverview("audit", 40, p.panel)
	return nil
}

// filterForm is the search form, echoed back as typed.
type filterForm struct {
	Actor, Action, TargetType, Target, Outcome, From, To string
}

type listData struct {
	Form       filterForm
	Problems   []string
	Events     []audit.View
	Total      int64
	NextBefore int64
	HasNext    bool
	Checkpoint *audit.Checkpoint
	Verify     *audit.VerifyReport
	VerifiedAt time.Time
	PublicKey  string
}

func (p *Page) show(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	form := filterForm{Actor: v.Get("actor"), Action: v.Get("action"), TargetType: v.Get("target_type"), Target: v.Get("target"),
		Outcome: v.Get("outcome"), From: v.Get("from"), To: v.Get("to")}
	q, problems := form.query()
	if s := v.Get("before"); s != "" {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil && n >= 0 {
			q.Before = &n
		}
	}
	data := listData{Form: form, Problems: problems, PublicKey: p.Service.PublicKey()}
	var err error
	if data.Verify, data.VerifiedAt, err = p.Service.LatestVerification(r.Context()); err != nil {
		p.UI.Error(w, r, http.StatusInternalServerError, "could not read the last verification: "+err.Error())
		return
	}
	if len(problems) == 0 {
		events, err := p.Service.Query(r.Context(), q)
		if err == nil {
			data.Total, err = p.Service.Count(r.Context(), q)
		}
		if err != nil {
			p.UI.Error(w, r, http.StatusInternalServerError, "could not read the audit trail: "+err.Error())
			return
		}
		data.Events = events
		if len(events) == pageSize {
			data.HasNext, data.NextBefore = true, events[len(events)-1].Seq
		}
	}
	if cps, err := p.Service.Checkpoints(r.Context()); err == nil && len(cps) > 0 {
		data.Checkpoint = &cps[len(cps)-1]
	}
	p.UI.Render(w, r, p.list, data)
}

// query turns the form into a query, naming every field that does not parse.
func (f filterForm) query() (audit.Query, []string) {
	q := audit.Query{ActorID: strings.TrimSpace(f.Actor), Action: strings.TrimSpace(f.Action),
		TargetType: strings.TrimSpace(f.TargetType), TargetID: strings.TrimSpace(f.Target), Outcome: f.Outcome, Limit: pageSize}
	var problems []string
	switch f.Outcome {
	case "", string(audit.Success), string(audit.Failure), string(audit.Denied):
	default:
		problems = append(problems, fmt.Sprintf("outcome %q is not success, failure or denied", f.Outcome))
	}
	for _, t := range []struct {
		name, val string
		dst       *time.Time
	}{{"from", f.From, &q.From}, {"to", f.To, &q.To}} {
		if t.val == "" {
			continue
		}
		parsed, err := parseTime(t.val)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %q is not a time such as 2026-11-23 or 2026-11-23T12:00", t.name, t.val))
			continue
		}
		*t.dst = parsed
	}
	return q, problems
}

// parseTime reads the forms a person types or a datetime-local input sends.
func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, errors.New("not a time")
}

// post runs a verification or writes a checkpoint now.
func (p *Page) post(w http.ResponseWriter, r *http.Request) {
	switch r.PostFormValue("action") {
	case "verify":
		rep, err := p.Service.Verify(r.Context())
		switch {
		case err != nil:
			p.UI.Flash(w, r, "Verification could not run: "+err.Error())
		case rep.OK:
			p.UI.Flash(w, r, fmt.Sprintf("The trail verified: %d events, %d checkpoints checked.", rep.Events, rep.Checkpoints))
		default:
			p.UI.Flash(w, r, "The trail FAILED verification: "+rep.Problem.Error())
		}
	case "checkpoint":
		// As on the API (POST /api/v1/audit/checkpoints): writing one is an
		// admin's act; reading and verifying need only the audit scope.
		if pr, _ := auth.FromContext(r.Context()); !pr.Has(config.ScopeAdmin) {
			p.UI.Error(w, r, http.StatusForbidden, "writing a checkpoint needs the admin scope")
			return
		}
		cp, err := p.Service.CheckpointNow(r.Context(), audit.CheckpointManual)
		if err != nil && cp.Signature == "" {
			p.UI.Flash(w, r, "No checkpoint written: "+err.Error())
		} else {
			msg := fmt.Sprintf("Checkpoint written over %d events.", cp.Size)
			if err != nil {
				msg += " Publishing failed: " + err.Error()
			}
			p.UI.Flash(w, r, msg)
		}
	default:
		p.UI.Error(w, r, http.StatusBadRequest, "unknown action")
		return
	}
	http.Redirect(w, r, "/ui/audit", http.StatusSeeOther)
}

type eventData struct {
	Event      audit.View
	Proof      *audit.Proof
	ProofError string
}

func (p *Page) event(w http.ResponseWriter, r *http.Request) {
	seq, err := strconv.ParseInt(r.PathValue("seq"), 10, 64)
	if err != nil || seq < 0 {
		p.UI.Error(w, r, http.StatusNotFound, "There is no audit event "+r.PathValue("seq")+".")
		return
	}
	v, err := p.Service.Get(r.Context(), seq)
	if errors.Is(err, audit.ErrNotFound) {
		p.UI.Error(w, r, http.StatusNotFound, fmt.Sprintf("There is no audit event %d.", seq))
		return
	}
	if err != nil {
		p.UI.Error(w, r, http.StatusInternalServerError, "could not read the event: "+err.Error())
		return
	}
	data := eventData{Event: v}
	if pr, err := p.Service.InclusionProof(r.Context(), seq); err != nil {
		data.ProofError = err.Error()
	} else {
		data.Proof = &pr
	}
	p.UI.Render(w, r, p.detail, data)
}

func (p *Page) panel(ctx context.Context) (ui.Panel, error) {
	panel := ui.Panel{Title: "Audit trail", Link: "/ui/audit", Status: "", Summary: "Not verified yet."}
	n, err := p.Service.Count(ctx, audit.Query{})
	if err != nil {
		return panel, err
	}
	panel.Rows = append(panel.Rows, [2]string{"Events", strconv.FormatInt(n, 10)})
	rep, _, err := p.Service.LatestVerification(ctx)
	if err != nil {
		return panel, err
	}
	if rep != nil {
		if rep.OK {
			panel.Status, panel.Summary = "ok", fmt.Sprintf("Verified: %d events.", rep.Events)
		} else {
			panel.Status, panel.Summary = "fail", "Verification FAILED: "+rep.Problem.Error()
		}
	}
	return panel, nil
}
