package console

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"strings"
	"unicode"
	"unicode/utf8"
)

// payloadView is a key, value or header value as the browser shows it.
type payloadView struct {
	// Kind is "null" (absent), "text" (UTF-8), "json" (an object or array,
	// pretty-printed) or "hex" (anything else: bytes as hex, 16 a line).
	Kind string `json:"kind"`
	Text string `json:"text"`
	// Size is the payload's length in bytes, before any truncation.
	Size      int  `json:"size"`
	Truncated bool `json:"truncated,omitempty"`
}

// maxShownBytes bounds what one payload contributes to a page; the rest is
// cut and marked Truncated.
const maxShownBytes = 64 << 10

func renderPayload(b []byte, null bool) payloadView {
	if null {
		return payloadView{Kind: "null"}
	}
	v := payloadView{Size: len(b)}
	if isText(b) {
		if pretty, ok := prettyJSON(b); ok && len(pretty) <= maxShownBytes {
			v.Kind, v.Text = "json", pretty
			return v
		}
		v.Kind = "text"
		if len(b) > maxShownBytes {
			cut := maxShownBytes
			for cut > 0 && !utf8.RuneStart(b[cut]) {
				cut--
			}
			b, v.Truncated = b[:cut], true
		}
		v.Text = string(b)
		return v
	}
	v.Kind = "hex"
	if len(b) > maxShownBytes/4 {
		b, v.Truncated = b[:maxShownBytes/4], true
	}
	v.Text = hexLines(b)
	return v
}

// isText accepts valid UTF-8 without control characters other than
// whitespace, so that a binary payload that happens to decode is still
// shown as hex.
func isText(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	for _, r := range string(b) {
		if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
			return false
		}
	}
	return true
}

// prettyJSON indents a JSON object or array; scalars stay text, since "42"
// or "true" read better as they are.
func prettyJSON(b []byte) (string, bool) {
	t := bytes.TrimSpace(b)
	if len(t) == 0 || (t[0] != '{' && t[0] != '[') || !json.Valid(t) {
		return "", false
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, t, "", "  "); err != nil {
		return "", false
	}
	return buf.String(), true
}

func hexLines(b []byte) string {
	var sb strings.Builder
	for i := 0; i < len(b); i += 16 {
		end := min(i+16, len(b))
		if i > 0 {
			sb.WriteByte('\n')
		}
		for j := i; j < end; j++ {
			if j > i {
				sb.WriteByte(' ')
			}
			sb.WriteString(hex.EncodeToString(b[j : j+1]))
		}
	}
	return sb.String()
}
