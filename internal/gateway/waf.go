package gateway

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/corazawaf/coraza-coreruleset/v4"
	"github.com/corazawaf/coraza/v3"
	"github.com/corazawaf/coraza/v3/experimental/plugins/plugintypes"
	"github.com/corazawaf/coraza/v3/types"

	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/scrub"
)

// WAFOptions adds to the WAF built from the configuration; tests use it to
// run the CRS regression corpus against the same setup.
type WAFOptions struct {
	// ExtraDirectives go after Warden's settings and before the CRS rules.
	ExtraDirectives string
	// ErrorCallback receives every matched rule that logs.
	ErrorCallback func(types.MatchedRule)
	// MaxBody is the largest request body the WAF may be given (the
	// largest route limit).
	MaxBody int64
}

// exclusionBaseID numbers the rules that carry out path exclusions; the
// range 1-99,999 is ModSecurity's for local rules.
const exclusionBaseID = 10_000

// Directives is the SecLang that configures Coraza and the CRS from the
// gateway's WAF settings: the recommended Coraza base, the CRS set-up with
// Warden's paranoia level, thresholds and API methods, the exclusions, then
// the rules.
func Directives(w config.WAF, opts WAFOptions) string {
	var b strings.Builder
	b.WriteString("Include @coraza.conf-recommended\n")
	engine := "On"
	if w.Mode == config.WAFDetect {
		engine = "DetectionOnly"
	}
	maxBody := max(opts.MaxBody, 1<<20)
	fmt.Fprintf(&b, "SecRuleEngine %s\n", engine)
	fmt.Fprintf(&b, "SecRequestBodyLimit %d\nSecRequestBodyInMemoryLimit %d\n", maxBody, maxBody)
	// The gateway itself refuses bodies over the route's limit before the
	// WAF sees them, so this limit is never reached.
	b.WriteString("SecRequestBodyLimitAction Reject\n")
	if w.InspectResponseBody {
		b.WriteString("SecResponseBodyAccess On\n")
	} else {
		b.WriteString("SecResponseBodyAccess Off\n")
	}
	b.WriteString("SecAuditEngine Off\n")
	// Not SecRxPreFilter On: it halves the cost of large arguments but the
	// CRS regression corpus then misses 932311-7 and 942220-2.
	b.WriteString("Include @crs-setup.conf.example\n")
	fmt.Fprintf(&b, "SecAction \"id:900000,phase:1,pass,t:none,nolog,setvar:tx.blocking_paranoia_level=%d\"\n", w.ParanoiaLevel)
	fmt.Fprintf(&b, "SecAction \"id:900110,phase:1,pass,t:none,nolog,setvar:tx.inbound_anomaly_score_threshold=%d,setvar:tx.outbound_anomaly_score_threshold=%d\"\n",
		w.InboundThreshold, w.OutboundThreshold)
	fmt.Fprintf(&b, "SecAction \"id:900200,phase:1,pass,t:none,nolog,setvar:'tx.allowed_methods=%s'\"\n", strings.Join(w.AllowedMethods, " "))
	for i, e := range w.Exclusions {
		b.WriteString(exclusionRule(exclusionBaseID+i, e))
	}
	b.WriteString(opts.ExtraDirectives)
	b.WriteString("\nInclude @owasp_crs/*.conf\n")
	return b.String()
}

// exclusionRule removes rules for requests whose path (without the query)
// starts with the prefix. Config validation keeps quotes and spaces out of
// the prefix and tags.
func exclusionRule(id int, e config.WAFExclusion) string {
	var ctl []string
	for _, r := range e.RuleIDs {
		ctl = append(ctl, "ctl:ruleRemoveById="+strconv.Itoa(r))
	}
	for _, t := range e.Tags {
		ctl = append(ctl, "ctl:ruleRemoveByTag="+t)
	}
	return fmt.Sprintf("SecRule REQUEST_FILENAME \"@beginsWith %s\" \"id:%d,phase:1,pass,t:none,nolog,%s\"\n",
		e.PathPrefix, id, strings.Join(ctl, ","))
}

// NewWAF compiles the WAF; it takes about a second and holds ~17 MiB.
func NewWAF(w config.WAF, opts WAFOptions) (coraza.WAF, error) {
	registerOperators()
	cfg := coraza.NewWAFConfig().WithRootFS(coreruleset.FS).WithDirectives(Directives(w, opts))
	if opts.ErrorCallback != nil {
		cfg = cfg.WithErrorCallback(opts.ErrorCallback)
	}
	waf, err := coraza.NewWAF(cfg)
	if err != nil {
		return nil, fmt.Errorf("gateway.waf: build the rule set: %w", err)
	}
	rxExprs.buildSoon() // in the background, rather than on the first request
	return waf, nil
}

// maxMatchData bounds how much of the matched data an event keeps.
const maxMatchData = 120

// eventRules turns the transaction's matched rules into the event's rules:
// only rules that log (the CRS's detection rules, not its bookkeeping).
func eventRules(tx types.Transaction) (ids []int, rules []RuleMatch) {
	for _, mr := range tx.MatchedRules() {
		md := mr.Rule()
		// Detection rules carry a severity; the CRS's bookkeeping (set-up,
		// "enabling body inspection", the anomaly evaluation) does not,
		// except the rule that blocked, which the event names apart.
		if md.Severity() < 0 || mr.Message() == "" {
			continue
		}
		rm := RuleMatch{ID: md.ID(), Message: mr.Message(), Tags: md.Tags()}
		if s := md.Severity(); s >= 0 {
			rm.Severity = s.String()
		}
		for _, d := range mr.MatchedDatas() {
			name := d.Variable().Name()
			if d.Key() != "" {
				name += ":" + d.Key()
			}
			rm.Matches = append(rm.Matches, VarMatch{Variable: name, Data: truncate(scrub.String(d.Value()), maxMatchData)})
		}
		ids = append(ids, rm.ID)
		rules = append(rules, rm)
	}
	return ids, rules
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	// cut on a rune boundary
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}

// anomalyScore reads the CRS's inbound anomaly score from the transaction.
func anomalyScore(tx types.Transaction) int {
	st, ok := tx.(plugintypes.TransactionState)
	if !ok {
		return 0
	}
	for _, name := range []string{"blocking_inbound_anomaly_score", "anomaly_score"} {
		if v := st.Variables().TX().Get(name); len(v) > 0 {
			if n, err := strconv.Atoi(v[0]); err == nil && n > 0 {
				return n
			}
		}
	}
	return 0
}
