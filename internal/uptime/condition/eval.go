package condition

import (
	"bytes"
	"encoding/json"
	"net/textproto"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Facts are what one probe observed. Fields a probe type does not measure
// are left unset and read as null.
type Facts struct {
	HasStatus    bool
	Status       int
	Body         []byte
	Header       map[string][]string
	ResponseTime time.Duration
	// CertExpiry is the time left on the peer's leaf certificate; nil when
	// the probe did not use TLS.
	CertExpiry *time.Duration
	HasConnect bool
	Connected  bool
	DNSRcode   string
	Addrs      []string

	jsonDone bool
	jsonVal  any
	jsonOK   bool
}

// Value is an operand's value during evaluation.
type Value struct {
	Kind Type // Null, Bool, Number, String, Duration, or Any for a JSON array/object
	Bool bool
	Num  float64
	Str  string
	Dur  time.Duration
	Raw  any // a JSON array or object
}

// String formats v as a condition literal would be written.
func (v Value) String() string {
	switch v.Kind {
	case Null:
		return "null"
	case Bool:
		return strconv.FormatBool(v.Bool)
	case Number:
		return strconv.FormatFloat(v.Num, 'f', -1, 64)
	case String:
		s := v.Str
		if len(s) > 80 {
			s = s[:80] + "..."
		}
		return strconv.Quote(s)
	case Duration:
		return v.Dur.Round(time.Millisecond).String()
	default:
		b, _ := json.Marshal(v.Raw)
		if len(b) > 80 {
			b = append(b[:80], "..."...)
		}
		return string(b)
	}
}

// Outcome is the verdict on one probe, with the values the condition read
// (e.g. `status = 500`), so that a failure explains itself.
type Outcome struct {
	OK     bool
	Values []string
}

// Eval judges f. It caches the parsed JSON body in f, so one Facts must not
// be evaluated from several goroutines at once.
func (e *Expr) Eval(f *Facts) Outcome {
	ev := &evaluator{f: f, seen: map[string]bool{}}
	ok := e.root.eval(ev)
	return Outcome{OK: ok, Values: ev.values}
}

type evaluator struct {
	f      *Facts
	values []string
	seen   map[string]bool
}

func (ev *evaluator) note(name string, v Value) {
	if !ev.seen[name] {
		ev.seen[name] = true
		ev.values = append(ev.values, name+" = "+v.String())
	}
}

type node interface{ eval(ev *evaluator) bool }

type logical struct {
	and  bool
	l, r node
}

func (n *logical) eval(ev *evaluator) bool {
	// Both sides are evaluated, not short-circuited, so that the values
	// shown for a failure are complete.
	l, r := n.l.eval(ev), n.r.eval(ev)
	if n.and {
		return l && r
	}
	return l || r
}

type not struct{ x node }

func (n *not) eval(ev *evaluator) bool { return !n.x.eval(ev) }

type truthy struct{ x operand }

func (n *truthy) eval(ev *evaluator) bool {
	v := n.x.value(ev)
	return v.Kind == Bool && v.Bool
}

type compare struct {
	op   string
	l, r operand
	re   *regexp.Regexp
	col  int
}

func (n *compare) eval(ev *evaluator) bool {
	l, r := n.l.value(ev), n.r.value(ev)
	switch n.op {
	case "contains", "not contains":
		if l.Kind == Null {
			return false
		}
		has := strings.Contains(asText(l), asText(r))
		return has == (n.op == "contains")
	case "=~", "!~":
		if l.Kind == Null {
			return false
		}
		return n.re.MatchString(asText(l)) == (n.op == "=~")
	}
	c, ok := cmp(l, r)
	switch n.op {
	case "==":
		return ok && c == 0
	case "!=":
		return !ok || c != 0
	}
	if !ok || l.Kind == Null || r.Kind == Null {
		return false
	}
	switch n.op {
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	default:
		return c >= 0
	}
}

// cmp orders two values; ok is false when they cannot be compared, which
// makes == false and != true. A number against a duration counts
// milliseconds, as Gatus does for [RESPONSE_TIME] < 300.
func cmp(l, r Value) (int, bool) {
	if l.Kind == Null || r.Kind == Null {
		if l.Kind == r.Kind {
			return 0, true
		}
		return 0, false
	}
	lf, lnum := numeric(l)
	rf, rnum := numeric(r)
	if lnum && rnum {
		return order(lf, rf), true
	}
	if l.Kind == Bool && r.Kind == Bool {
		if l.Bool == r.Bool {
			return 0, true
		}
		return 1, true
	}
	return strings.Compare(asText(l), asText(r)), l.Kind != Bool && r.Kind != Bool || asText(l) == asText(r)
}

func order(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// numeric reads numbers, durations (as milliseconds) and strings that hold a
// number (a JSON "3" against 3).
func numeric(v Value) (float64, bool) {
	switch v.Kind {
	case Number:
		return v.Num, true
	case Duration:
		return float64(v.Dur) / float64(time.Millisecond), true
	case String:
		f, err := strconv.ParseFloat(strings.TrimSpace(v.Str), 64)
		return f, err == nil
	}
	return 0, false
}

func asText(v Value) string {
	switch v.Kind {
	case String:
		return v.Str
	case Any:
		b, _ := json.Marshal(v.Raw)
		return string(b)
	case Null:
		return ""
	}
	return v.String()
}

type operand interface {
	value(ev *evaluator) Value
	typ() Type
	text() string
	column() int
}

type literal struct {
	v   Value
	src string
	col int
}

func (l *literal) value(*evaluator) Value { return l.v }
func (l *literal) typ() Type              { return l.v.Kind }
func (l *literal) text() string           { return l.src }
func (l *literal) column() int            { return l.col }

type step struct {
	key   string
	index int // -1 for a key
}

type field struct {
	name   string
	kind   Type
	path   []step // json
	header string
	col    int
}

func (f *field) typ() Type    { return f.kind }
func (f *field) text() string { return f.name }
func (f *field) column() int  { return f.col }

func (f *field) value(ev *evaluator) Value {
	v := f.read(ev.f)
	ev.note(f.name, v)
	return v
}

func (f *field) read(x *Facts) Value {
	switch {
	case f.path != nil || f.name == "json":
		return jsonValue(x, f.path)
	case f.header != "":
		vs := x.Header[textproto.CanonicalMIMEHeaderKey(f.header)]
		if len(vs) == 0 {
			return Value{Kind: Null}
		}
		return Value{Kind: String, Str: strings.Join(vs, ", ")}
	}
	switch f.name {
	case "status":
		if !x.HasStatus {
			return Value{Kind: Null}
		}
		return Value{Kind: Number, Num: float64(x.Status)}
	case "body":
		if x.Body == nil {
			return Value{Kind: Null}
		}
		return Value{Kind: String, Str: string(x.Body)}
	case "response_time":
		return Value{Kind: Duration, Dur: x.ResponseTime}
	case "cert_expiry":
		if x.CertExpiry == nil {
			return Value{Kind: Null}
		}
		return Value{Kind: Duration, Dur: *x.CertExpiry}
	case "connected":
		if !x.HasConnect {
			return Value{Kind: Null}
		}
		return Value{Kind: Bool, Bool: x.Connected}
	case "dns_rcode":
		if x.DNSRcode == "" {
			return Value{Kind: Null}
		}
		return Value{Kind: String, Str: x.DNSRcode}
	case "addrs":
		if x.Addrs == nil {
			return Value{Kind: Null}
		}
		return Value{Kind: String, Str: strings.Join(x.Addrs, ",")}
	}
	return Value{Kind: Null}
}

// maxJSON bounds the body parsed as JSON; a health endpoint is small.
const maxJSON = 1 << 20

func jsonValue(x *Facts, path []step) Value {
	if !x.jsonDone {
		x.jsonDone = true
		if len(x.Body) <= maxJSON {
			d := json.NewDecoder(bytes.NewReader(x.Body))
			d.UseNumber()
			x.jsonOK = d.Decode(&x.jsonVal) == nil
		}
	}
	if !x.jsonOK {
		return Value{Kind: Null}
	}
	cur := x.jsonVal
	for _, s := range path {
		switch c := cur.(type) {
		case map[string]any:
			if s.index >= 0 {
				return Value{Kind: Null}
			}
			v, ok := c[s.key]
			if !ok {
				return Value{Kind: Null}
			}
			cur = v
		case []any:
			if s.index < 0 || s.index >= len(c) {
				return Value{Kind: Null}
			}
			cur = c[s.index]
		default:
			return Value{Kind: Null}
		}
	}
	switch c := cur.(type) {
	case nil:
		return Value{Kind: Null}
	case bool:
		return Value{Kind: Bool, Bool: c}
	case json.Number:
		f, err := c.Float64()
		if err != nil {
			return Value{Kind: String, Str: c.String()}
		}
		return Value{Kind: Number, Num: f}
	case string:
		return Value{Kind: String, Str: c}
	default:
		return Value{Kind: Any, Raw: c}
	}
}

type lenOf struct {
	x   operand
	col int
}

func (l *lenOf) typ() Type    { return Number }
func (l *lenOf) text() string { return "len(" + l.x.text() + ")" }
func (l *lenOf) column() int  { return l.col }

func (l *lenOf) value(ev *evaluator) Value {
	v := l.x.value(ev)
	switch v.Kind {
	case String:
		return Value{Kind: Number, Num: float64(len(v.Str))}
	case Any:
		switch c := v.Raw.(type) {
		case []any:
			return Value{Kind: Number, Num: float64(len(c))}
		case map[string]any:
			return Value{Kind: Number, Num: float64(len(c))}
		}
	}
	return Value{Kind: Null}
}
