package whispirtest

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// TestReadBody checks readBody against what it replaced, reading the body
// with bytes.Buffer.ReadFrom up to one byte past the limit, whatever
// Content-Length announces (Handler callers can announce anything).
func TestReadBody(t *testing.T) {
	t.Parallel()
	errRead := errors.New("read failed")
	big := strings.Repeat("x", maxBody+10)
	for _, tc := range []struct {
		name   string
		body   func() io.Reader
		length int64
	}{
		{"as announced", func() io.Reader { return strings.NewReader(`{"to":"1"}`) }, 10},
		{"one byte at a time", func() io.Reader { return iotest.OneByteReader(strings.NewReader(`{"to":"1"}`)) }, 10},
		{"data with EOF", func() io.Reader { return iotest.DataErrReader(strings.NewReader(`{"to":"1"}`)) }, 10},
		{"shorter than announced", func() io.Reader { return strings.NewReader(`{"to"`) }, 10},
		{"longer than announced", func() io.Reader { return strings.NewReader(`{"to":"1","body":"b"}`) }, 10},
		{"unknown length", func() io.Reader { return strings.NewReader(`{"to":"1"}`) }, -1},
		{"empty", func() io.Reader { return strings.NewReader("") }, 0},
		{"longer than announced, past the limit", func() io.Reader { return strings.NewReader(big) }, 10},
		{"at the limit", func() io.Reader { return strings.NewReader(big[:maxBody]) }, maxBody},
		{"error", func() io.Reader { return iotest.ErrReader(errRead) }, 10},
		{"error after the body", func() io.Reader { return io.MultiReader(strings.NewReader("0123456789"), iotest.ErrReader(errRead)) }, 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var want bytes.Buffer
			_, wantErr := want.ReadFrom(io.LimitReader(tc.body(), maxBody+1))
			got, err := readBody(tc.body(), tc.length)
			if (err != nil) != (wantErr != nil) {
				t.Fatalf("error: got %v; want %v", err, wantErr)
			}
			if err == nil && !bytes.Equal(got, want.Bytes()) {
				t.Errorf("body: got %d bytes %.20q; want %d bytes %.20q", len(got), got, want.Len(), want.Bytes())
			}
		})
	}
}
