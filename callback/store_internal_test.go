package callback

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

// clock is a settable time source for MemoryStore.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newTestStore(maxKeys int) (*MemoryStore, *clock) {
	c := &clock{t: time.Date(2026, 11, 27, 10, 15, 0, 0, time.UTC)}
	s := NewMemoryStore(maxKeys)
	s.now = c.now
	return s, c
}

func TestMemoryStoreLifecycle(t *testing.T) {
	t.Parallel()
	s, c := newTestStore(10)
	ctx := t.Context()
	const lease, keep = time.Minute, 24 * time.Hour
	claim := func(step string, want ClaimState) {
		t.Helper()
		got, err := s.Claim(ctx, "k", lease)
		if err != nil || got != want {
			t.Fatalf("%s: Claim = %v, %v; want %v", step, got, err, want)
		}
	}
	claim("first", Claimed)
	claim("while held", InProgress)
	if err := s.Release(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	claim("after release", Claimed)
	c.add(lease)
	claim("after the lease lapsed", Claimed)
	if err := s.Done(ctx, "k", keep); err != nil {
		t.Fatal(err)
	}
	claim("done", Handled)
	if err := s.Release(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	claim("release does not undo done", Handled)
	c.add(keep - time.Second)
	claim("just inside the window", Handled)
	c.add(time.Second)
	claim("after the window", Claimed)
}

// TestMemoryStoreBounded: expired keys are dropped as time passes, and a
// full store forgets its oldest keys instead of growing.
func TestMemoryStoreBounded(t *testing.T) {
	t.Parallel()
	s, c := newTestStore(100)
	ctx := t.Context()
	for i := range 1000 {
		key := fmt.Sprint(i)
		if _, err := s.Claim(ctx, key, time.Minute); err != nil {
			t.Fatal(err)
		}
		if err := s.Done(ctx, key, time.Hour); err != nil {
			t.Fatal(err)
		}
		if n := s.Len(); n > 100 {
			t.Fatalf("after %d keys the store holds %d; want at most 100", i+1, n)
		}
	}
	if got, _ := s.Claim(ctx, "999", time.Minute); got != Handled {
		t.Errorf("newest key: %v; want Handled", got)
	}
	if got, _ := s.Claim(ctx, "0", time.Minute); got != Claimed {
		t.Errorf("oldest key: %v; want Claimed (forgotten)", got)
	}
	c.add(2 * time.Hour)
	if _, err := s.Claim(ctx, "new", time.Minute); err != nil {
		t.Fatal(err)
	}
	if n := s.Len(); n != 1 {
		t.Errorf("after every key expired the store holds %d; want 1", n)
	}
}

func TestMemoryStoreDefaultMax(t *testing.T) {
	t.Parallel()
	if s := NewMemoryStore(0); s.max != DefaultMaxKeys {
		t.Errorf("max = %d; want %d", s.max, DefaultMaxKeys)
	}
}

// TestMemoryStoreConcurrentClaims: of many claims of one key at once,
// exactly one wins.
func TestMemoryStoreConcurrentClaims(t *testing.T) {
	t.Parallel()
	s := NewMemoryStore(10)
	var mu sync.Mutex
	won := 0
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if st, _ := s.Claim(t.Context(), "k", time.Minute); st == Claimed {
				mu.Lock()
				won++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if won != 1 {
		t.Errorf("%d claims won; want 1", won)
	}
}
