package envelope

import (
	"os"
	"reflect"
	"testing"
	"time"
)

var fastSeeds = []string{
	`{"exception":{"values":[{"type":"E","value":"v","stacktrace":{"frames":[{"in_app":true,"function":"f"}]}}]}}`,
	`{"exception":[{"type":"E","stacktrace":{"frames":[{"in_app":true}]}}]}`,
	`{"exception":{"values":[{"type":"A"}]},"Exception":{"values":[{"type":"B"}]}}`,
	`{"exception":{"values":[{"type":"A"}]},"EXCEPTION":{}}`,
	`{"exception":{"values":[{"type":"A"}]},"\u0065xception":{}}`,
	`{"exception":null}`, `{"exception":{}}`, `{"exception":{"values":null}}`, `{"exception":5}`,
	`{"exception":{"values":5}}`, `{"exception" : {"values":[{"type":"A"}]} , "level":3}`,
	`{"contexts":{"exception":{"x":1}},"exception":[{"type":"A"}]}`,
	`{"message":"exception","exception":{"values":[{"type":"A","value":"exception"}]}}`,
}

func readFixture(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sameAsV1 compares ParseEvent with encoding/json's reading of the same
// payload (refParseEvent, the reader before the v2 engine): the same
// acceptance and the same event. Error texts may differ in wording.
func sameAsV1(t *testing.T, b []byte) {
	t.Helper()
	at := time.Unix(1700000000, 0)
	got, gotErr := ParseEvent(b, at)
	want, wantErr := refParseEvent(b, at)
	if (gotErr == nil) != (wantErr == nil) {
		t.Fatalf("acceptance differs on %q:\nParseEvent:    %v\nencoding/json: %v", b, gotErr, wantErr)
	}
	if gotErr != nil {
		return
	}
	if got.ID != want.ID && len(got.ID) == 32 && len(want.ID) == 32 {
		got.ID = want.ID
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("events differ on %q:\nParseEvent:    %+v\nencoding/json: %+v", b, got, want)
	}
}

// frameSeeds are stack frames of every shape unmarshalFrame must read
// as encoding/json does.
var frameSeeds = []string{
	`{"exception":{"values":[{"stacktrace":{"frames":[{"function":"f","module":"m","filename":"a.js","abs_path":"/a.js","lineno":3,"colno":4,"in_app":true,"context_line":"x","pre_context":["a"],"vars":{"a":1}}]}}]}}`,
	`{"exception":[{"stacktrace":{"frames":[{"FUNCTION":"f","Module":"m","\u0066ilename":"a","ABS_PATH":"p","LineNo":1,"COLNO":2,"In_App":false,"Context_Line":"c"}]}}]}`,
	`{"exception":[{"stacktrace":{"frames":[{"function":"f","function":"g","in_app":true,"in_app":null,"lineno":1,"lineno":null}]}}]}`,
	`{"exception":[{"stacktrace":{"frames":[{"function":"a","lineno":1},{"function":"b"}],"frames":[{"module":"m"},null,{"function":"c"}]}}]}`,
	`{"exception":[{"stacktrace":{"frames":[null,{"function":null,"module":"m"}]}}]}`,
	`{"exception":[{"stacktrace":{"frames":[{"lineno":1.5}]}}]}`, `{"exception":[{"stacktrace":{"frames":[{"lineno":1e2}]}}]}`,
	`{"exception":[{"stacktrace":{"frames":[{"lineno":"1"}]}}]}`, `{"exception":[{"stacktrace":{"frames":[{"lineno":-0}]}}]}`,
	`{"exception":[{"stacktrace":{"frames":[{"lineno":99999999999999999999}]}}]}`, `{"exception":[{"stacktrace":{"frames":[{"colno":-9223372036854775808}]}}]}`,
	`{"exception":[{"stacktrace":{"frames":[{"in_app":"true"}]}}]}`, `{"exception":[{"stacktrace":{"frames":[{"in_app":1}]}}]}`,
	`{"exception":[{"stacktrace":{"frames":[{"function":5}]}}]}`, `{"exception":[{"stacktrace":{"frames":[{"function":{}}]}}]}`,
	`{"exception":[{"stacktrace":{"frames":[5]}}]}`, `{"exception":[{"stacktrace":{"frames":["x"]}}]}`, `{"exception":[{"stacktrace":{"frames":{}}}]}`,
	"{\"exception\":[{\"stacktrace\":{\"frames\":[{\"function\":\"\xff\\ud800\",\"\u017function\":\"x\",\"filename\u212a\":1}]}}]}",
	"{\"exception\":[{\"stacktrace\":{\"frames\":[{\"colno\":1,\"\u212a\":1,\"modu\u212ae\":\"k\",\"mod\u017fule\":2}]}}]}",
	`{"stacktrace":{"frames":[{"function":"top","in_app":true}]},"threads":{"values":[{"crashed":true,"stacktrace":{"frames":[{"function":"t","lineno":2}]}}]}}`,
	`{"exception":[{"stacktrace":{"frames":[{"function":"f",}]}}]}`, `{"exception":[{"stacktrace":{"frames":[{"function" "f"}]}}]}`,
	`{"exception":[{"stacktrace":{"frames":[{"function":"f"`,
}

func TestParseEventMatchesV1(t *testing.T) {
	for _, s := range frameSeeds {
		sameAsV1(t, []byte(s))
	}
	for _, s := range fastSeeds {
		sameAsV1(t, []byte(s))
	}
	for _, name := range []string{"go-exception", "node-exception"} {
		raw := readFixture(t, "testdata/"+name+".envelope")
		env, err := Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range env.Items {
			if it.Type == "event" {
				sameAsV1(t, it.Payload)
			}
		}
	}
	sameAsV1(t, readFixture(t, "testdata/bench-event.json"))
}

// FuzzParseEventV1 compares ParseEvent with encoding/json on any payload.
func FuzzParseEventV1(f *testing.F) {
	addFixtureSeeds(f)
	for _, s := range fastSeeds {
		f.Add([]byte(s))
	}
	for _, s := range frameSeeds {
		f.Add([]byte(s))
	}
	f.Add(readFixtureF(f, "testdata/bench-event.json"))
	f.Fuzz(func(t *testing.T, b []byte) {
		sameAsV1(t, b)
	})
}

func readFixtureF(f *testing.F, path string) []byte {
	b, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	return b
}
