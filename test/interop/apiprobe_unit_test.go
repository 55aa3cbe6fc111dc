//go:build interop

package interop

import (
	"context"
	"reflect"
	"testing"

	"github.com/odradek/odradek/internal/testserver"
)

func TestUnion(t *testing.T) {
	tests := []struct {
		in   [][]int16
		want []int16
	}{
		{nil, nil},
		{[][]int16{{11, 8}}, []int16{8, 11}},
		{[][]int16{{8, 9, 10}, {10, 68, 8}}, []int16{8, 9, 10, 68}},
	}
	for _, tt := range tests {
		if got := union(tt.in...); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("union(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// TestMissingAPIs asks a real in-process server: APIs every broker serves are never reported,
// a key no broker has is, by number.
func TestMissingAPIs(t *testing.T) {
	srv := testserver.Start(t)
	tests := []struct {
		needs []int16
		want  []string
	}{
		{nil, nil},
		{[]int16{0, 1, 3, 18}, nil},
		{[]int16{0, 32000}, []string{"Unknown (32000)"}},
	}
	for _, tt := range tests {
		got, err := missingAPIs(context.Background(), srv.Bootstrap, tt.needs)
		if err != nil {
			t.Fatalf("missingAPIs(%v): %v", tt.needs, err)
		}
		if len(got) == 0 && len(tt.want) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("missingAPIs(%v) = %q, want %q", tt.needs, got, tt.want)
		}
	}
}
