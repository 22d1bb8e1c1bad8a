package redistest

import (
	"testing"
)

func TestStartAndKill(t *testing.T) {
	t.Parallel()
	s := Start(t)
	if err := ping(s.Addr); err != nil {
		t.Fatalf("PING %s: %v; want +PONG", s.Addr, err)
	}
	s.Kill()
	if err := ping(s.Addr); err == nil {
		t.Fatalf("PING after Kill: got an answer; want none")
	}
	s.Kill() // a second Kill is a no-op
}
