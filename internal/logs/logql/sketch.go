package logql

import (
	"math"
	"sort"
)

// SketchAccuracy is the relative error bound of Sketch quantiles: the value
// returned for a quantile is within 1% of a value whose rank is exactly
// that quantile (the DDSketch guarantee).
const SketchAccuracy = 0.01

var (
	sketchGamma  = (1 + SketchAccuracy) / (1 - SketchAccuracy)
	sketchLogGam = math.Log(sketchGamma)
)

// Sketch is a mergeable quantile sketch in the manner of DDSketch:
// logarithmic buckets, so that memory grows with the range of values
// (about 1,400 buckets for 1µs..1h at 1%), not with their number.
type Sketch struct {
	pos, neg map[int]uint64
	zero     uint64
	n        uint64
}

// NewSketch returns an empty sketch.
func NewSketch() *Sketch { return &Sketch{pos: map[int]uint64{}, neg: map[int]uint64{}} }

func sketchIndex(v float64) int { return int(math.Ceil(math.Log(v) / sketchLogGam)) }

// Add counts one value.
func (s *Sketch) Add(v float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return
	}
	s.n++
	switch {
	case v > 1e-9:
		s.pos[sketchIndex(v)]++
	case v < -1e-9:
		s.neg[sketchIndex(-v)]++
	default:
		s.zero++
	}
}

// AddN counts the value v n times, as n calls of Add would.
func (s *Sketch) AddN(v float64, n uint64) {
	if math.IsNaN(v) || math.IsInf(v, 0) || n == 0 {
		return
	}
	s.n += n
	switch {
	case v > 1e-9:
		s.pos[sketchIndex(v)] += n
	case v < -1e-9:
		s.neg[sketchIndex(-v)] += n
	default:
		s.zero += n
	}
}

// Merge adds o's counts to s.
func (s *Sketch) Merge(o *Sketch) {
	for k, c := range o.pos {
		s.pos[k] += c
	}
	for k, c := range o.neg {
		s.neg[k] += c
	}
	s.zero += o.zero
	s.n += o.n
}

// Count is the number of values added.
func (s *Sketch) Count() uint64 { return s.n }

// Quantile returns the value at rank phi (0..1), within SketchAccuracy.
func (s *Sketch) Quantile(phi float64) float64 {
	if s.n == 0 {
		return math.NaN()
	}
	rank := uint64(phi * float64(s.n-1))
	var seen uint64
	negKeys := keys(s.neg)
	for i := len(negKeys) - 1; i >= 0; i-- { // most negative first
		seen += s.neg[negKeys[i]]
		if seen > rank {
			return -bucketValue(negKeys[i])
		}
	}
	seen += s.zero
	if seen > rank {
		return 0
	}
	posKeys := keys(s.pos)
	for _, k := range posKeys {
		seen += s.pos[k]
		if seen > rank {
			return bucketValue(k)
		}
	}
	return bucketValue(posKeys[len(posKeys)-1])
}

// bucketValue is the value whose relative error to anything in bucket k is
// at most SketchAccuracy.
func bucketValue(k int) float64 {
	return 2 * math.Pow(sketchGamma, float64(k)) / (sketchGamma + 1)
}

func keys(m map[int]uint64) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Ints(out)
	return out
}
