package api

import (
	"os"
	"strings"
	"testing"
)

const (
	tableBegin = "<!-- BEGIN GENERATED API TABLE -->\n"
	tableEnd   = "<!-- END GENERATED API TABLE -->"
)

// TestCompatibilityDocIsCurrent keeps docs/compatibility.md's API table in
// step with the served table. Run with UPDATE_DOCS=1 to rewrite it.
func TestCompatibilityDocIsCurrent(t *testing.T) {
	path := "../../docs/compatibility.md"
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	i, j := strings.Index(doc, tableBegin), strings.Index(doc, tableEnd)
	if i < 0 || j < i {
		t.Fatalf("%s lacks the generated-table markers", path)
	}
	want := doc[:i+len(tableBegin)] + CompatibilityTable() + doc[j:]
	if want == doc {
		return
	}
	if os.Getenv("UPDATE_DOCS") != "" {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Fatalf("%s is out of date: run UPDATE_DOCS=1 go test ./internal/api", path)
}

func TestServedVersionsWithinKmsg(t *testing.T) {
	for _, v := range ServedAPIs() {
		if v.Min > v.Max || v.advertisedMin() > v.Min {
			t.Errorf("%s: bad range %+v", APIName(v.Key), v)
		}
	}
}
