package whispirtest

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// sendFacts are what answering a send needs from its body: the recipients
// (to), whether messageType is SCHEDULED, and whether it has a voice part.
type sendFacts struct {
	to        string
	scheduled bool
	voice     bool
}

// readSendFacts reads sendFacts from a send's body, valid JSON, in one pass
// over its bytes and without decoding the rest: decoding the whole message
// costs every send about as much as validating it, and only retrieving it
// (or its lifecycle) needs the rest. It reads what json.Unmarshal into a
// generated.Message would set: the last of repeated members wins, a null
// to changes nothing, a null messageType or voice is none. ok is false when
// it cannot tell as cheaply: the body is not an object, a member's name is
// escaped or matches to, messageType or voice only when case is ignored
// (json.Unmarshal takes those too), or one of the three has a value of
// another type; the caller then decodes the body.
func readSendFacts(body []byte) (f sendFacts, ok bool) {
	i := skipSpace(body, 0)
	if i >= len(body) || body[i] != '{' {
		return f, false
	}
	i++
	for {
		i = skipSpace(body, i)
		if i >= len(body) {
			return f, false
		}
		switch body[i] {
		case '}':
			return f, skipSpace(body, i+1) == len(body)
		case ',':
			i++
			continue
		case '"':
		default:
			return f, false
		}
		end, escaped := skipString(body, i)
		if escaped || end < 0 {
			return f, false
		}
		name := body[i+1 : end-1]
		i = skipSpace(body, end)
		if i >= len(body) || body[i] != ':' {
			return f, false
		}
		i = skipSpace(body, i+1)
		start := i
		if i = skipValue(body, i); i < 0 {
			return f, false
		}
		value := body[start:i]
		switch string(name) {
		case "to":
			switch value[0] {
			case '"':
				if f.to, ok = stringValue(value); !ok {
					return f, false
				}
			case 'n': // null: json.Unmarshal leaves a string as it is
			default:
				return f, false
			}
		case "messageType":
			switch value[0] {
			case '"':
				var mt string
				if mt, ok = stringValue(value); !ok {
					return f, false
				}
				f.scheduled = mt == "SCHEDULED"
			case 'n':
				f.scheduled = false
			default:
				return f, false
			}
		case "voice":
			switch value[0] {
			case '{':
				f.voice = true
			case 'n':
				f.voice = false
			default:
				return f, false
			}
		default:
			for _, known := range [...]string{"to", "messageType", "voice"} {
				if bytes.EqualFold(name, []byte(known)) {
					return f, false
				}
			}
		}
	}
}

// stringValue is the string a JSON string literal holds (json.Unmarshal
// turns escapes into characters, and invalid UTF-8 into U+FFFD).
func stringValue(lit []byte) (string, bool) {
	if bytes.IndexByte(lit, '\\') < 0 && utf8.Valid(lit) {
		return string(lit[1 : len(lit)-1]), true
	}
	var s string
	return s, json.Unmarshal(lit, &s) == nil
}

// skipSpace returns the index of the first byte at or after i that is not
// JSON white space.
func skipSpace(data []byte, i int) int {
	for i < len(data) && strings.IndexByte(" \t\r\n", data[i]) >= 0 {
		i++
	}
	return i
}

// skipString returns the index after the string literal that starts at
// i, and whether it has escapes; -1 when it does not end.
func skipString(data []byte, i int) (end int, escaped bool) {
	for j := i + 1; j < len(data); j++ {
		switch data[j] {
		case '\\':
			escaped = true
			j++
		case '"':
			return j + 1, escaped
		}
	}
	return -1, escaped
}

// skipValue returns the index after the JSON value that starts at i; -1
// when it does not end.
func skipValue(data []byte, i int) int {
	if i >= len(data) {
		return -1
	}
	switch data[i] {
	case '"':
		end, _ := skipString(data, i)
		return end
	case '{', '[':
		depth := 0
		for j := i; j < len(data); j++ {
			switch data[j] {
			case '"':
				end, _ := skipString(data, j)
				if end < 0 {
					return -1
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	}
	// A number, true, false or null: up to the next delimiter.
	j := i
	for j < len(data) && strings.IndexByte(",}] \t\r\n", data[j]) < 0 {
		j++
	}
	if j == i {
		return -1
	}
	return j
}
