package callback

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
)

// Rules broken by a member; decode prefixes the member's name.
var (
	errWantString = errors.New("want a string")
	errWantObject = errors.New("want an object")
	errConflict   = errors.New("spellings that differ only in case have different values")
)

// jsonFields is a JSON object with its member names folded to lower case.
// conflicts holds the folded names of members spelt twice with different
// values.
type jsonFields struct {
	m         map[string]json.RawMessage
	conflicts map[string]bool
}

// jsonRoot decodes the top-level object of a JSON event.
func jsonRoot(body []byte) (fields, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, malformed("json: empty body")
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		// json's own messages can quote a character of the body.
		if se := (*json.SyntaxError)(nil); errors.As(err, &se) {
			return nil, malformed("json: syntax error at byte %d", se.Offset)
		}
		return nil, malformed("json: %v", errWantObject)
	}
	if m == nil { // the body is null
		return nil, malformed("json: %v", errWantObject)
	}
	return fold(m), nil
}

// fold lower-cases the member names of m.
func fold(m map[string]json.RawMessage) jsonFields {
	f := jsonFields{m: make(map[string]json.RawMessage, len(m))}
	for k, v := range m {
		lk := strings.ToLower(k)
		if prev, dup := f.m[lk]; dup && !bytes.Equal(prev, v) {
			if f.conflicts == nil {
				f.conflicts = map[string]bool{}
			}
			f.conflicts[lk] = true
		}
		f.m[lk] = v
	}
	return f
}

// member returns the raw value of name; ok is false when it is absent or
// null.
func (f jsonFields) member(name string) (json.RawMessage, bool, error) {
	if f.conflicts[name] {
		return nil, false, errConflict
	}
	raw, ok := f.m[name]
	if !ok || string(raw) == "null" {
		return nil, false, nil
	}
	return raw, true, nil
}

func (f jsonFields) text(name string) (string, bool, error) {
	raw, ok, err := f.member(name)
	if !ok || err != nil {
		return "", false, err
	}
	s, err := jsonString(raw)
	return s, err == nil, err
}

func (f jsonFields) object(name string) (fields, bool, error) {
	m, ok, err := f.rawObject(name)
	if !ok || err != nil {
		return nil, false, err
	}
	return fold(m), true, nil
}

func (f jsonFields) params(name string) (map[string]string, bool, error) {
	m, ok, err := f.rawObject(name)
	if !ok || err != nil {
		return nil, false, err
	}
	out := make(map[string]string, len(m))
	for k, raw := range m {
		if k == "" {
			return nil, false, errors.New("a parameter has an empty name")
		}
		s, err := jsonString(raw)
		if err != nil {
			return nil, false, errors.New("a value is not a string")
		}
		out[k] = s
	}
	return out, true, nil
}

// rawObject returns the members of an object member, names as sent.
func (f jsonFields) rawObject(name string) (map[string]json.RawMessage, bool, error) {
	raw, ok, err := f.member(name)
	if !ok || err != nil {
		return nil, false, err
	}
	var m map[string]json.RawMessage
	if raw[0] != '{' || json.Unmarshal(raw, &m) != nil {
		return nil, false, errWantObject
	}
	return m, true, nil
}

// jsonString decodes a JSON string.
func jsonString(raw json.RawMessage) (string, error) {
	var s string
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return "", errWantString
	}
	return s, nil
}
