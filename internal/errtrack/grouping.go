package errtrack

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Grouping methods, in the order Sentry tries them.
const (
	ByFingerprint = "fingerprint"
	ByStacktrace  = "in-app stacktrace"
	ByException   = "exception"
	ByMessage     = "message"
	ByNothing     = "fallback"
)

// Grouping is how an event was grouped: the method and the components
// hashed, kept so that a surprising grouping can be explained.
type Grouping struct {
	Method     string
	Components []string
	Hash       string
}

// Group computes an event's grouping, in Sentry's order: an explicit
// fingerprint (where "{{ default }}" stands for the default grouping), else
// the in-app frames of the stack traces (module or normalised file name and
// function, never line numbers) with the exception types, else exception
// types and normalised values, else the normalised message.
func Group(ev *Event) Grouping {
	def := defaultGrouping(ev)
	if len(ev.Fingerprint) == 0 {
		def.Hash = hashOf(def.Method, def.Components)
		return def
	}
	var comps []string
	for _, f := range ev.Fingerprint {
		switch v := fingerprintVar(f); v {
		case "default":
			comps = append(comps, def.Components...)
		case "type":
			if e := mainException(ev); e != nil {
				comps = append(comps, e.Type)
			}
		case "message":
			comps = append(comps, NormaliseMessage(messageOrValue(ev)))
		case "transaction":
			comps = append(comps, ev.Transaction)
		case "level":
			comps = append(comps, ev.Level)
		case "":
			comps = append(comps, f)
		default:
			comps = append(comps, f) // an unknown variable is kept literally
		}
	}
	return Grouping{Method: ByFingerprint, Components: comps, Hash: hashOf(ByFingerprint, comps)}
}

// fingerprintVar returns the variable name of "{{ default }}" and the like,
// or "" for a literal.
func fingerprintVar(f string) string {
	t := strings.TrimSpace(f)
	if strings.HasPrefix(t, "{{") && strings.HasSuffix(t, "}}") {
		return strings.ToLower(strings.TrimSpace(t[2 : len(t)-2]))
	}
	return ""
}

func defaultGrouping(ev *Event) Grouping {
	// In-app frames of every exception in the chain, with its type.
	var comps []string
	for _, e := range ev.Exceptions {
		frames := inAppFrames(e.Stacktrace)
		if len(frames) == 0 {
			continue
		}
		comps = append(comps, "type:"+e.Type)
		comps = append(comps, frames...)
	}
	if len(comps) > 0 {
		return Grouping{Method: ByStacktrace, Components: comps}
	}
	if frames := inAppFrames(ev.Stacktrace); len(frames) > 0 && len(ev.Exceptions) == 0 {
		return Grouping{Method: ByStacktrace, Components: frames}
	}
	for _, e := range ev.Exceptions {
		if e.Type == "" && e.Value == "" {
			continue
		}
		comps = append(comps, "type:"+e.Type, "value:"+NormaliseMessage(e.Value))
	}
	if len(comps) > 0 {
		return Grouping{Method: ByException, Components: comps}
	}
	msg := ev.MessageTemplate
	if msg == "" {
		msg = ev.Message
	}
	if msg != "" {
		return Grouping{Method: ByMessage, Components: []string{"message:" + NormaliseMessage(msg)}}
	}
	return Grouping{Method: ByNothing, Components: []string{"level:" + ev.Level, "logger:" + ev.Logger}}
}

// inAppFrames lists a stack's in-app frames as "module-or-file:function".
func inAppFrames(st *Stacktrace) []string {
	if st == nil {
		return nil
	}
	var out []string
	for _, f := range st.Frames {
		if !f.IsInApp() {
			continue
		}
		where := NormaliseModule(f.Module)
		if where == "" {
			file := f.Filename
			if file == "" {
				file = f.AbsPath
			}
			where = NormaliseFilename(file)
		}
		out = append(out, "frame:"+where+":"+NormaliseFunction(f.Function))
	}
	return out
}

func hashOf(method string, comps []string) string {
	h := sha256.New()
	h.Write([]byte(method))
	for _, c := range comps {
		h.Write([]byte{0})
		h.Write([]byte(c))
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// mainException is the raised exception: the last of the chain.
func mainException(ev *Event) *Exception {
	if len(ev.Exceptions) == 0 {
		return nil
	}
	return &ev.Exceptions[len(ev.Exceptions)-1]
}

func messageOrValue(ev *Event) string {
	if ev.Message != "" {
		return ev.Message
	}
	if e := mainException(ev); e != nil {
		return e.Value
	}
	return ""
}

// Title is what the issue list shows: "Type: value" of the raised
// exception, else the message's first line.
func Title(ev *Event) string {
	var t string
	if e := mainException(ev); e != nil {
		t = e.Type
		if e.Value != "" {
			if t != "" {
				t += ": "
			}
			t += e.Value
		}
	}
	if t == "" {
		t = ev.Message
	}
	if t == "" {
		t = "<no message>"
	}
	t, _, _ = strings.Cut(t, "\n")
	return truncate(t, 200)
}

// Culprit is where the error happened: the SDK's culprit or transaction,
// else the innermost in-app frame of the raised exception.
func Culprit(ev *Event) string {
	if ev.Culprit != "" {
		return truncate(ev.Culprit, 200)
	}
	if ev.Transaction != "" {
		return truncate(ev.Transaction, 200)
	}
	// Raised exception first, then its causes, then the thread stack.
	for i := len(ev.Exceptions) - 1; i >= 0; i-- {
		if c := culpritOf(ev.Exceptions[i].Stacktrace); c != "" {
			return c
		}
	}
	return culpritOf(ev.Stacktrace)
}

func culpritOf(st *Stacktrace) string {
	if st == nil {
		return ""
	}
	for i := len(st.Frames) - 1; i >= 0; i-- {
		f := st.Frames[i]
		if !f.IsInApp() {
			continue
		}
		where := f.Module
		if where == "" {
			where = f.Filename
		}
		if f.Function == "" {
			return truncate(where, 200)
		}
		return truncate(f.Function+" in "+where, 200)
	}
	return ""
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	// Cut at a rune boundary.
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}
