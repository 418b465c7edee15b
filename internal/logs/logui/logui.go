// Package logui is the logs page of the web UI: a search box with the
// saved queries, a histogram of matching lines over time, the results
// with each line's JSON one click away, and a request's trace.
package logui

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/logs"
	"github.com/wardenhq/warden/internal/logs/loghttp"
	"github.com/wardenhq/warden/internal/logs/logql"
	"github.com/wardenhq/warden/internal/ui"
)

//go:embed templates/*.html
var templates embed.FS

// Page serves /ui/logs.
type Page struct {
	Service *logs.Service
	UI      *ui.UI
	Saved   []config.SavedQuery
	tmpl    *template.Template
}

// Register adds the page to the UI.
func (p *Page) Register() error {
	t, err := template.New("logs").Funcs(p.UI.Funcs()).ParseFS(templates, "templates/logs.html")
	if err != nil {
		return fmt.Errorf("logs ui: %w", err)
	}
	p.tmpl = t
	p.UI.AddPage(ui.Page{Path: "/ui/logs", Title: "Logs", Nav: true, Order: 10, Scope: config.ScopeRead, Handler: p.show})
	return nil
}

var sinceChoices = []string{"15m", "1h", "6h", "24h", "7d", "30d"}

type savedView struct {
	Name, Query string
	NeedsID     string // the placeholder it needs, if any
}

type bar struct {
	X, Y, W, H float64
	Label      string
}

type recordView struct {
	Time, Level, Service, Msg, RequestID string
	JSON                                 string
}

type pageData struct {
	Query, Since, Env, RequestID, UserID string
	SinceChoices                         []string
	Saved                                []savedView
	Error                                string
	Took                                 string
	Count                                int
	Bars                                 []bar
	MaxBar                               int
	Records                              []recordView // when rows are log lines
	Columns                              []string     // when rows are a table (stats, fields)
	Table                                [][]string
}

func (p *Page) show(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := pageData{Query: strings.TrimSpace(q.Get("q")), Since: q.Get("since"), Env: q.Get("env"),
		RequestID: q.Get("request_id"), UserID: q.Get("user_id"), SinceChoices: sinceChoices}
	if d.Since == "" {
		d.Since = "1h"
	}
	for _, s := range p.Saved {
		sv := savedView{Name: s.Name, Query: s.Query}
		if strings.Contains(s.Query, "{request_id}") {
			sv.NeedsID = "request_id"
		} else if strings.Contains(s.Query, "{user_id}") {
			sv.NeedsID = "user_id"
		}
		d.Saved = append(d.Saved, sv)
	}
	if d.Query == "" {
		d.Query = "*"
	}
	query := strings.NewReplacer("{request_id}", escape(d.RequestID), "{user_id}", escape(d.UserID)).Replace(d.Query)
	if err := p.run(r, &d, query); err != nil {
		d.Error = err.Error()
	}
	p.UI.Render(w, r, p.tmpl, d)
}

func escape(s string) string { return strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) }

func (p *Page) run(r *http.Request, d *pageData, query string) error {
	since, err := logql.ParseDuration(d.Since)
	if err != nil {
		return fmt.Errorf("since: %v", err)
	}
	now := p.Service.Now()
	req := logs.QueryRequest{Query: query, Start: now.Add(-since), Limit: 200}
	if d.Env != "" {
		if err := logs.ValidEnv(d.Env); err != nil {
			return err
		}
		req.Envs = []string{d.Env}
	}
	res, err := p.Service.Query(r.Context(), req)
	if err != nil {
		var qe *logs.QueryError
		if errors.As(err, &qe) {
			return qe
		}
		return err
	}
	d.Took = fmt.Sprintf("%.1f ms", float64(res.Took.Microseconds())/1000)
	d.Count = len(res.Rows)
	parsed, _ := logs.ParseQuery(query)
	if isRecords(parsed) {
		for _, row := range res.Rows {
			d.Records = append(d.Records, recordOf(row))
		}
		return p.histogram(r, d, parsed, req, since)
	}
	for i, row := range res.Rows {
		if i == 0 {
			for _, f := range row {
				d.Columns = append(d.Columns, f.Name)
			}
		}
		cells := make([]string, len(d.Columns))
		for j, c := range d.Columns {
			cells[j] = row.Get(c)
		}
		d.Table = append(d.Table, cells)
	}
	return nil
}

// isRecords says whether the query returns log lines (no stats, no
// fields pipe), which the page shows as lines rather than as a table.
func isRecords(q *logql.Query) bool {
	for _, p := range q.Pipes {
		switch p.(type) {
		case *logql.StatsPipe, *logql.FieldsPipe:
			return false
		}
	}
	return true
}

func recordOf(row logql.Row) recordView {
	var b bytes.Buffer
	loghttp.WriteRow(&b, row)
	var pretty bytes.Buffer
	if err := jsonIndent(&pretty, b.Bytes()); err != nil {
		pretty = b
	}
	return recordView{Time: row.Get(logs.FieldTime), Level: row.Get(logs.FieldLevel), Service: row.Get(logs.FieldService),
		Msg: row.Get(logs.FieldMsg), RequestID: row.Get("request_id"), JSON: pretty.String()}
}

// histogram counts the query's matches per bucket over the range, drawn
// as inline SVG bars.
func (p *Page) histogram(r *http.Request, d *pageData, q *logql.Query, req logs.QueryRequest, since time.Duration) error {
	step := niceStep(since / 60)
	req.Query = q.Filter.String() + " | stats by (_time:" + fmtStep(step) + ") count() n"
	res, err := p.Service.Query(r.Context(), req)
	if err != nil {
		return err
	}
	counts := map[string]int{}
	for _, row := range res.Rows {
		n, _ := strconv.Atoi(row.Get("n"))
		counts[row.Get(logs.FieldTime)] = n
		d.MaxBar = max(d.MaxBar, n)
	}
	start := req.Start.UTC().Truncate(step)
	buckets := int(since/step) + 1
	w := 600.0 / float64(buckets)
	for i := 0; i < buckets; i++ {
		t := start.Add(time.Duration(i) * step)
		n := counts[t.Format(time.RFC3339)]
		h := 0.0
		if d.MaxBar > 0 {
			h = 80 * float64(n) / float64(d.MaxBar)
		}
		d.Bars = append(d.Bars, bar{X: float64(i) * w, Y: 80 - h, W: max(w-1, 1), H: h, Label: fmt.Sprintf("%s: %d", t.Format("Jan 2 15:04"), n)})
	}
	return nil
}

var steps = []time.Duration{time.Second, 10 * time.Second, 30 * time.Second, time.Minute, 5 * time.Minute, 15 * time.Minute,
	30 * time.Minute, time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour}

func niceStep(d time.Duration) time.Duration {
	for _, s := range steps {
		if s >= d {
			return s
		}
	}
	return steps[len(steps)-1]
}

func fmtStep(d time.Duration) string {
	switch {
	case d%time.Hour == 0:
		return strconv.Itoa(int(d/time.Hour)) + "h"
	case d%time.Minute == 0:
		return strconv.Itoa(int(d/time.Minute)) + "m"
	}
	return strconv.Itoa(int(d/time.Second)) + "s"
}

// TraceURL links to every line of one request, oldest first.
func TraceURL(requestID string) string {
	return "/ui/logs?" + url.Values{"q": {`request_id:="` + escape(requestID) + `" | sort by (_time)`}, "since": {"30d"}}.Encode()
}
