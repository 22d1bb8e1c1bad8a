package redistest

import (
	"maps"
	"testing"

	"github.com/redis/go-redis/v9"
)

func TestStartAndKill(t *testing.T) {
	t.Parallel()
	s := Start(t)
	if err := ping(s.Addr); err != nil {
		t.Fatalf("PING %s: %v; want +PONG", s.Addr, err)
	}
	rdb := redis.NewClient(&redis.Options{Addr: s.Addr})
	defer rdb.Close()
	got := map[string]string{}
	for _, param := range []string{"save", "appendonly", "bind"} {
		kv, err := rdb.ConfigGet(t.Context(), param).Result()
		if err != nil {
			t.Fatalf("CONFIG GET %s: %v", param, err)
		}
		maps.Copy(got, kv)
	}
	if want := map[string]string{"save": "", "appendonly": "no", "bind": "127.0.0.1"}; !maps.Equal(got, want) {
		t.Errorf("config = %v; want %v (persistence off, loopback only)", got, want)
	}
	s.Kill()
	if err := ping(s.Addr); err == nil {
		t.Fatalf("PING after Kill: got an answer; want none")
	}
	s.Kill() // a second Kill is a no-op
}
