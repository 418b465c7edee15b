package logql

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCondition(t *testing.T) {
	row := Row{{"path", "/api"}, {"n", "12"}, {"p95", "480"}}
	for _, tc := range []struct {
		c    string
		want bool
	}{
		{"n > 10", true}, {"n > 12", false}, {"n >= 12", true}, {"> 100", true}, {"< 1", false},
		{"n == 12", true}, {"n != 12", false}, {"p95 > 500 or n > 10", true}, {"p95 > 500 and n > 10", false},
		{"missing > 0", false}, {"n=12", true},
	} {
		c, err := ParseCondition(tc.c)
		if err != nil {
			t.Fatalf("%q: %v", tc.c, err)
		}
		if got, _ := c.Eval(row); got != tc.want {
			t.Errorf("%q: got %v", tc.c, got)
		}
	}
	for _, tc := range []struct {
		c   string
		col int
	}{{"n >", 4}, {"n 10", 3}, {"n > ten", 5}, {"n > 1 xor m < 2", 7}, {"", 1}, {"n ! 3", 3}} {
		_, err := ParseCondition(tc.c)
		var se *SyntaxError
		if !errors.As(err, &se) || se.Col != tc.col {
			t.Errorf("%q: got %v, want an error at column %d", tc.c, err, tc.col)
		}
	}
}

func FuzzParseCondition(f *testing.F) {
	b, err := os.ReadFile(filepath.Join("testdata", "conditions.txt"))
	if err != nil {
		f.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		f.Add(l)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCondition(s)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Col < 1 || se.Col > len([]rune(s))+1 {
				t.Fatalf("%q: bad error %v", s, err)
			}
			return
		}
		c.Eval(Row{{"n", "3"}})
	})
}
