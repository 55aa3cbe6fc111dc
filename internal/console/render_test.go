package console

import (
	"strings"
	"testing"
)

func TestRenderPayload(t *testing.T) {
	big := strings.Repeat("é", maxShownBytes) // 2 bytes each
	for _, tc := range []struct {
		name string
		in   []byte
		null bool
		want payloadView
	}{
		{"null", nil, true, payloadView{Kind: "null"}},
		{"empty", []byte{}, false, payloadView{Kind: "text", Text: "", Size: 0}},
		{"text", []byte("hello\tworld\n"), false, payloadView{Kind: "text", Text: "hello\tworld\n", Size: 12}},
		{"json object", []byte(` {"a":1,"b":[true,null]} `), false, payloadView{Kind: "json", Text: "{\n  \"a\": 1,\n  \"b\": [\n    true,\n    null\n  ]\n}", Size: 25}},
		{"json array", []byte(`[1,2]`), false, payloadView{Kind: "json", Text: "[\n  1,\n  2\n]", Size: 5}},
		{"json scalar stays text", []byte(`42`), false, payloadView{Kind: "text", Text: "42", Size: 2}},
		{"broken json is text", []byte(`{"a":`), false, payloadView{Kind: "text", Text: `{"a":`, Size: 5}},
		{"invalid utf-8", []byte{0xc3, 0x28}, false, payloadView{Kind: "hex", Text: "c3 28", Size: 2}},
		{"control bytes", []byte("a\x00b"), false, payloadView{Kind: "hex", Text: "61 00 62", Size: 3}},
		{"hex lines", []byte(strings.Repeat("\x01", 17)), false, payloadView{Kind: "hex", Text: strings.TrimSpace(strings.Repeat("01 ", 16)) + "\n01", Size: 17}},
		{"unicode", []byte("żółw"), false, payloadView{Kind: "text", Text: "żółw", Size: 7}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := renderPayload(tc.in, tc.null); got != tc.want {
				t.Fatalf("renderPayload(%q) = %+v, want %+v", tc.in, got, tc.want)
			}
		})
	}
	t.Run("long text is cut on a rune boundary", func(t *testing.T) {
		got := renderPayload([]byte(big), false)
		if !got.Truncated || got.Size != 2*maxShownBytes || len(got.Text) != maxShownBytes || !strings.HasSuffix(got.Text, "é") {
			t.Fatalf("truncated=%v size=%d len=%d", got.Truncated, got.Size, len(got.Text))
		}
	})
}

func TestRing(t *testing.T) {
	r := newRing[int](3)
	if _, ok := r.last(); ok || len(r.values()) != 0 {
		t.Fatal("empty ring has values")
	}
	for i := 1; i <= 5; i++ {
		r.push(i)
	}
	if got := r.values(); len(got) != 3 || got[0] != 3 || got[2] != 5 {
		t.Fatalf("values %v", got)
	}
	if v, _ := r.last(); v != 5 {
		t.Fatalf("last %d", v)
	}
}
