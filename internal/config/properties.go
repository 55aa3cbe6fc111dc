package config

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// ParseProperties reads text in java.util.Properties format: '#' or '!'
// comments, '=' / ':' / whitespace separators, backslash line
// continuations and escapes (\t \n \r \f \uXXXX). Later keys win.
func ParseProperties(text string) (map[string]string, error) {
	out := map[string]string{}
	lines := strings.Split(strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		lineNo := i + 1
		line := strings.TrimLeft(lines[i], " \t\f")
		if line == "" || line[0] == '#' || line[0] == '!' {
			continue
		}
		// Join continuation lines: an odd number of trailing backslashes.
		for endsWithContinuation(line) && i+1 < len(lines) {
			i++
			line = line[:len(line)-1] + strings.TrimLeft(lines[i], " \t\f")
		}
		if endsWithContinuation(line) {
			line = line[:len(line)-1]
		}
		key, value, err := splitProperty(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", lineNo, err)
		}
		out[key] = value
	}
	return out, nil
}

func endsWithContinuation(s string) bool {
	n := 0
	for i := len(s) - 1; i >= 0 && s[i] == '\\'; i-- {
		n++
	}
	return n%2 == 1
}

func splitProperty(line string) (string, string, error) {
	// Find the first unescaped separator.
	sep := len(line)
	for i := 0; i < len(line); i++ {
		c := line[i]
		if c == '\\' {
			i++
			continue
		}
		if c == '=' || c == ':' || c == ' ' || c == '\t' || c == '\f' {
			sep = i
			break
		}
	}
	rawKey := line[:sep]
	rest := line[sep:]
	// Skip whitespace, at most one '=' or ':', then whitespace again.
	rest = strings.TrimLeft(rest, " \t\f")
	if rest != "" && (rest[0] == '=' || rest[0] == ':') {
		rest = strings.TrimLeft(rest[1:], " \t\f")
	}
	key, err := unescapeProperty(rawKey)
	if err != nil {
		return "", "", err
	}
	value, err := unescapeProperty(rest)
	if err != nil {
		return "", "", fmt.Errorf("value of %s: %w", key, err)
	}
	return key, value, nil
}

func unescapeProperty(s string) (string, error) {
	if !strings.Contains(s, `\`) {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch s[i] {
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 'f':
			b.WriteByte('\f')
		case 'u':
			if i+5 > len(s) {
				return "", fmt.Errorf("malformed \\uxxxx escape")
			}
			r, err := strconv.ParseUint(s[i+1:i+5], 16, 32)
			if err != nil {
				return "", fmt.Errorf("malformed \\uxxxx escape %q", s[i-1:i+5])
			}
			i += 4
			// A surrogate pair arrives as two escapes (Java strings are UTF-16).
			if utf16.IsSurrogate(rune(r)) && i+6 < len(s) && strings.HasPrefix(s[i+1:], `\u`) {
				if lo, err := strconv.ParseUint(s[i+3:i+7], 16, 32); err == nil {
					if c := utf16.DecodeRune(rune(r), rune(lo)); c != utf8.RuneError {
						b.WriteRune(c)
						i += 6
						continue
					}
				}
			}
			b.WriteRune(rune(r))
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String(), nil
}

// FormatProperties writes props in java.util.Properties store() format,
// keys sorted, with header lines each prefixed by '#'.
func FormatProperties(header []string, props map[string]string) string {
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return FormatPropertiesOrdered(header, keys, props)
}

// FormatPropertiesOrdered is FormatProperties with the key order given
// (keys missing from props are skipped), for files whose exact bytes we
// reproduce.
func FormatPropertiesOrdered(header, keys []string, props map[string]string) string {
	var b strings.Builder
	for _, h := range header {
		b.WriteString("#" + h + "\n")
	}
	for _, k := range keys {
		v, ok := props[k]
		if !ok {
			continue
		}
		b.WriteString(escapeProperty(k, true) + "=" + escapeProperty(v, false) + "\n")
	}
	return b.String()
}

func escapeProperty(s string, isKey bool) string {
	var b strings.Builder
	for i, r := range s {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\f':
			b.WriteString(`\f`)
		case '=', ':', '#', '!':
			b.WriteByte('\\')
			b.WriteRune(r)
		case ' ':
			if isKey || i == 0 {
				b.WriteString(`\ `)
			} else {
				b.WriteByte(' ')
			}
		default:
			if r < 0x20 || r > 0x7e {
				// Java escapes UTF-16 code units, so runes outside the
				// BMP become a surrogate pair of escapes.
				for _, u := range utf16.Encode([]rune{r}) {
					fmt.Fprintf(&b, `\u%04X`, u)
				}
			} else {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}
