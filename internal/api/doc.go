package api

import (
	"fmt"
	"strings"
)

// CompatibilityTable renders the served-API table for docs/compatibility.md,
// so the document is generated from the code that answers ApiVersions.
func CompatibilityTable() string {
	var b strings.Builder
	b.WriteString("| Key | API | Versions served | Advertised | Notes |\n|---:|---|---|---|---|\n")
	for _, v := range ServedAPIs() {
		fmt.Fprintf(&b, "| %d | %s | %d–%d | %d–%d | %s |\n", v.Key, APIName(v.Key), v.Min, v.Max, v.advertisedMin(), v.Max, v.Note)
	}
	return b.String()
}
