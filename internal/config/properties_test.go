package config

import (
	"reflect"
	"testing"
)

func TestParseProperties(t *testing.T) {
	in := "# comment\n! also comment\n  a=1\nb : 2\nc 3\nd=\ne = spaced value  \n" +
		"multi=one,\\\n    two,\\\n    three\nesc\\=key=x\\ty\\u0041\nwin=1\r\nempty\n"
	got, err := ParseProperties(in)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"a": "1", "b": "2", "c": "3", "d": "", "e": "spaced value  ",
		"multi": "one,two,three", "esc=key": "x\tyA", "win": "1", "empty": "",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v\nwant %#v", got, want)
	}
	if _, err := ParseProperties("k=\\u12"); err == nil {
		t.Error("truncated \\u escape must fail")
	}
}

func TestFormatPropertiesRoundTrip(t *testing.T) {
	props := map[string]string{"a.b": "x=y:z", "key with space": " lead", "uni": "é😀", "p": `c:\dir`}
	text := FormatProperties([]string{"", "header"}, props)
	back, err := ParseProperties(text)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, props) {
		t.Errorf("round trip: %q -> %#v", text, back)
	}
	if text[:len("#\n#header\n")] != "#\n#header\n" {
		t.Errorf("header: %q", text)
	}
}
