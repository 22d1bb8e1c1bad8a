package whispirtest

import (
	"net/http"
	"strconv"
)

// stepBound refuses a JSON body with more members and array elements than
// [Limits.JSONValues] (413, the mock's own answer), before validation
// decodes it: decoding and validating hundreds of thousands of values
// costs seconds of CPU, and no Whispir request needs more than a few
// hundred.
func stepBound(s *Server, x *exchange) bool {
	if !x.jsonBody() {
		return true
	}
	if n := jsonValues(x.body, s.limits.JSONValues); n > s.limits.JSONValues {
		limit := strconv.Itoa(s.limits.JSONValues)
		x.replyMock(mockAnswer(http.StatusRequestEntityTooLarge, "too-many-values",
			"the body has more than "+limit+" JSON members and array elements, the mock's limit (Limits.JSONValues, whispir mock --max-json-values)", nil))
		return false
	}
	return true
}

// jsonValues counts the members of the objects and the elements of the
// arrays in data, a JSON text, in one pass over its bytes; it stops
// counting above limit. Malformed JSON is counted as far as it goes (the
// validation step refuses it).
func jsonValues(data []byte, limit int) int {
	n := 0
	var inArray []bool // the open containers, innermost last: true for an array
	inString, escaped := false, false
	opened := false // an array was just opened: its first element is not counted yet
	for _, c := range data {
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		}
		if opened {
			opened = false
			if c != ']' {
				n++ // the array's first element
			}
		}
		switch c {
		case '"':
			inString = true
		case '{':
			inArray = append(inArray, false)
		case '[':
			inArray = append(inArray, true)
			opened = true
		case '}', ']':
			if len(inArray) > 0 {
				inArray = inArray[:len(inArray)-1]
			}
		case ':':
			n++ // a member
		case ',':
			if len(inArray) > 0 && inArray[len(inArray)-1] {
				n++ // a further element
			}
		}
		if n > limit {
			return n
		}
	}
	return n
}
