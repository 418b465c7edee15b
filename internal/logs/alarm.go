package logs

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/logs/logql"
)

// Alarm is a query whose result rows are tested by a condition.
type Alarm struct {
	Name      string
	Query     string
	Window    time.Duration
	Condition *logql.Condition
	Severity  string
	Runbook   string // a runbook name or URL
	Env       string // empty: every environment
}

// Evaluator runs alarms and raises and resolves their alerts.
type Evaluator struct {
	Service *Service
	Raiser  alert.Raiser
	// Ready, when set, says whether any line was ever stored. Until then
	// alarms are not evaluated: an absence alarm would fire on a fresh
	// install that no app ships to yet.
	Ready func() bool
	// RunbookURL turns a runbook name into a link (nil: as written).
	RunbookURL func(name string) string

	mu     sync.Mutex
	firing map[string]map[string]alert.Labels // alarm -> fingerprint -> labels
}

// Evaluate runs one alarm once: every result row that meets the condition
// raises an alert labelled with the row's group fields; alerts of this
// alarm that no longer meet it resolve.
func (e *Evaluator) Evaluate(ctx context.Context, a Alarm) error {
	if e.Ready != nil && !e.Ready() {
		return nil
	}
	now := e.Service.Now()
	req := QueryRequest{Query: a.Query, Start: now.Add(-a.Window), End: now.Add(time.Nanosecond)}
	if a.Env != "" {
		req.Envs = []string{a.Env}
	}
	res, err := e.Service.Query(ctx, req)
	if err != nil {
		return fmt.Errorf("alarm %s: %w", a.Name, err)
	}
	e.mu.Lock()
	if e.firing == nil {
		e.firing = map[string]map[string]alert.Labels{}
	}
	prev := e.firing[a.Name]
	e.mu.Unlock()
	nowFiring := map[string]alert.Labels{}
	for _, row := range res.Rows {
		ok, v := a.Condition.Eval(row)
		labels := e.labels(a, row)
		if !ok {
			continue
		}
		nowFiring[labels.Fingerprint()] = labels
		ann := alert.Labels{
			alert.AnnotationSummary:     fmt.Sprintf("log alarm %s: %s (value %s over %s)", a.Name, a.Condition, strconv.FormatFloat(v, 'g', -1, 64), a.Window),
			alert.AnnotationDescription: "query: " + a.Query,
			alert.AnnotationValue:       strconv.FormatFloat(v, 'g', -1, 64),
		}
		if a.Runbook != "" {
			link := a.Runbook
			if e.RunbookURL != nil {
				link = e.RunbookURL(a.Runbook)
			}
			ann[alert.AnnotationRunbook] = link
		}
		if err := e.Raiser.Raise(ctx, alert.Alert{Labels: labels, Annotations: ann, StartsAt: now}); err != nil {
			return fmt.Errorf("alarm %s: raise: %w", a.Name, err)
		}
	}
	// Resolve what fired before and not now; with no memory of earlier
	// runs (a restart), resolve the alarm's ungrouped alert, which a
	// resolve of an alert not firing leaves alone.
	if prev == nil {
		base := e.labels(a, nil)
		prev = map[string]alert.Labels{base.Fingerprint(): base}
	}
	for fp, labels := range prev {
		if _, still := nowFiring[fp]; !still {
			if err := e.Raiser.Resolve(ctx, labels, now); err != nil {
				return fmt.Errorf("alarm %s: resolve: %w", a.Name, err)
			}
		}
	}
	e.mu.Lock()
	e.firing[a.Name] = nowFiring
	e.mu.Unlock()
	return nil
}

// labels are the alarm's identity plus the row's non-numeric group fields.
func (e *Evaluator) labels(a Alarm, row logql.Row) alert.Labels {
	l := alert.Labels{
		alert.LabelAlertName: a.Name,
		alert.LabelSource:    "logs",
		alert.LabelSeverity:  a.Severity,
	}
	if a.Env != "" {
		l[alert.LabelEnvironment] = a.Env
	}
	for _, f := range groupFields(a, row) {
		l[labelName(f.Name)] = f.Value
	}
	return l
}

// groupFields are the row's "by" fields: those the stats pipe groups on.
func groupFields(a Alarm, row logql.Row) []Field {
	q, err := logql.Parse(a.Query)
	if err != nil || row == nil {
		return nil
	}
	var by []Field
	for _, p := range q.Pipes {
		if s, ok := p.(*logql.StatsPipe); ok {
			by = by[:0]
			for _, b := range s.By {
				if b.Field != FieldTime {
					by = append(by, Field{Name: b.Field, Value: row.Get(b.Field)})
				}
			}
		}
	}
	return by
}

// labelName makes a field name a valid alert label name.
func labelName(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			b[i] = '_'
		}
	}
	return string(b)
}
