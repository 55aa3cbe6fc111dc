//go:build interop

package interop

import (
	"fmt"
	"reflect"
	"testing"
)

func TestLineLogger(t *testing.T) {
	tests := []struct {
		name   string
		writes []string
		want   []string
	}{
		{"one line", []string{"a\n"}, []string{"> a"}},
		{"split across writes", []string{"ab", "c\nd", "e\n"}, []string{"> abc", "> de"}},
		{"several lines in one write", []string{"x\ny\nz\n"}, []string{"> x", "> y", "> z"}},
		{"unterminated tail flushed on close", []string{"p\nq"}, []string{"> p", "> q"}},
		{"empty line kept", []string{"\n"}, []string{"> "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			l := newLineLogger(func(args ...any) { got = append(got, fmt.Sprint(args...)) }, "> ")
			for _, w := range tt.writes {
				if n, err := l.Write([]byte(w)); n != len(w) || err != nil {
					t.Fatalf("Write(%q) = %d, %v", w, n, err)
				}
			}
			l.Close()
			l.Close()
			if _, err := l.Write([]byte("late\n")); err != nil {
				t.Fatalf("Write after Close: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("logged %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSelected(t *testing.T) {
	tests := []struct {
		env  string
		name string
		want bool
	}{
		{"", "kcat", true},
		{"kcat", "kcat", true},
		{"kcat", "python", false},
		{"python, dumplog", "dumplog", true},
		{"python,dumplog", "java", false},
		{"groups", "groups-cli", true},
		{"groups", "python", false},
		{"groups-cli", "groups-migration", false},
	}
	for _, tt := range tests {
		t.Setenv("INTEROP_SUITES", tt.env)
		if got := selected(tt.name); got != tt.want {
			t.Errorf("INTEROP_SUITES=%q: selected(%q) = %v, want %v", tt.env, tt.name, got, tt.want)
		}
	}
}
