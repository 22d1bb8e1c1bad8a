package whispirtest

import (
	"strings"
	"testing"
)

func TestJSONValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, json string
		want       int
	}{
		{"scalar", `"a"`, 0},
		{"empty object", `{}`, 0},
		{"empty array", `[]`, 0},
		{"members", `{"a":1,"b":"x"}`, 2},
		{"elements", `[1,2,3]`, 3},
		{"nested", `{"a":[{"b":1},{}],"c":{"d":[]}}`, 6},
		{"whitespace", " [ 1 , \n 2 ] ", 2},
		{"strings hide structure", `{"a:b,c":"[1,2]","d":"\"{:}\""}`, 2},
		{"escaped backslash", `["\\",1]`, 2},
		{"malformed", `{"a":[1,2`, 3},
		{"unbalanced close", `]]{"a":1}`, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := jsonValues([]byte(tc.json), 1000); got != tc.want {
				t.Errorf("jsonValues(%s) = %d; want %d", tc.json, got, tc.want)
			}
		})
	}
	t.Run("stops above the limit", func(t *testing.T) {
		t.Parallel()
		big := "[" + strings.Repeat("1,", 1000) + "1]"
		if got := jsonValues([]byte(big), 10); got != 11 {
			t.Errorf("got %d; want 11 (it stops counting)", got)
		}
	})
}

func FuzzJSONValues(f *testing.F) {
	for _, s := range []string{`{"a":[1,2]}`, `"\\"`, `[[[`, `{"a":"]"}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := jsonValues([]byte(s), 50)
		if n < 0 || n > 51 {
			t.Errorf("jsonValues = %d; want 0..51", n)
		}
	})
}
