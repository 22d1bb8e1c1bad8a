package callback

import (
	"container/list"
	"context"
	"sync"
	"time"
)

// ClaimState is what [Store.Claim] found.
type ClaimState int

const (
	// Claimed: the caller now holds the key and must call Done or Release.
	Claimed ClaimState = iota + 1
	// InProgress: another delivery of the same event holds the key.
	InProgress
	// Handled: the event was handled successfully before.
	Handled
)

// Store remembers the keys ([Event.Key]) of events, so that an event is
// handled once however often Whispir delivers it. The handler calls Claim
// before fn; then Done when fn succeeded, or Release when it failed, so that
// a redelivery tries again.
//
// Implementations must be safe for concurrent use. To share one store
// between instances behind a load balancer, implement it on a shared
// database; with Redis, for example:
//
//	Claim:   SET key "busy" NX PX lease; if not set, GET key: "done" is Handled, else InProgress
//	Done:    SET key "done" PX keep
//	Release: DEL key
type Store interface {
	// Claim takes key for one delivery, unless it is held or done. A claim
	// that is neither done nor released lapses after lease (the holder
	// died): the handler's lease outlasts fn's timeout.
	Claim(ctx context.Context, key string, lease time.Duration) (ClaimState, error)
	// Done records that the event of key was handled, for keep.
	Done(ctx context.Context, key string, keep time.Duration) error
	// Release gives up a claim, so that the next delivery handles the event.
	Release(ctx context.Context, key string) error
}

// DefaultMaxKeys is how many keys the handler's own [MemoryStore] keeps.
const DefaultMaxKeys = 100_000

// MemoryStore is a [Store] in the process's memory, the handler's default.
// It is bounded: keys expire (claims after their lease, handled events after
// their keep time), and when it holds its maximum it forgets the keys
// updated longest ago, so a flood of events costs memory up to that maximum
// at worst, at the price of weaker duplicate detection for the oldest.
type MemoryStore struct {
	mu      sync.Mutex
	max     int
	entries map[string]*list.Element // of *memoryEntry
	order   *list.List               // least recently updated first
	now     func() time.Time
}

type memoryEntry struct {
	key     string
	done    bool
	expires time.Time
}

var _ Store = (*MemoryStore)(nil)

// NewMemoryStore returns an empty store that keeps at most maxKeys keys
// ([DefaultMaxKeys] when maxKeys is not positive).
func NewMemoryStore(maxKeys int) *MemoryStore {
	if maxKeys <= 0 {
		maxKeys = DefaultMaxKeys
	}
	return &MemoryStore{max: maxKeys, entries: map[string]*list.Element{}, order: list.New(), now: time.Now}
}

// Claim implements [Store].
func (s *MemoryStore) Claim(_ context.Context, key string, lease time.Duration) (ClaimState, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.expire(now)
	if el, ok := s.entries[key]; ok {
		e := el.Value.(*memoryEntry)
		if now.Before(e.expires) {
			if e.done {
				return Handled, nil
			}
			return InProgress, nil
		}
		s.remove(el)
	}
	s.put(&memoryEntry{key: key, expires: now.Add(lease)})
	return Claimed, nil
}

// Done implements [Store].
func (s *MemoryStore) Done(_ context.Context, key string, keep time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if el, ok := s.entries[key]; ok {
		s.remove(el)
	}
	s.put(&memoryEntry{key: key, done: true, expires: s.now().Add(keep)})
	return nil
}

// Release implements [Store]. A key already done stays done.
func (s *MemoryStore) Release(_ context.Context, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if el, ok := s.entries[key]; ok && !el.Value.(*memoryEntry).done {
		s.remove(el)
	}
	return nil
}

// Len returns how many keys the store holds, expired ones it has not yet
// dropped included.
func (s *MemoryStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.entries)
}

// put adds e as the most recently updated entry, first forgetting the
// least recently updated ones when the store is full.
func (s *MemoryStore) put(e *memoryEntry) {
	for len(s.entries) >= s.max {
		s.remove(s.order.Front())
	}
	s.entries[e.key] = s.order.PushBack(e)
}

// expire drops the expired entries at the front of the order. Entries are
// updated with one of two lifetimes (a claim's lease, a done key's keep), so
// an expired entry behind a live one waits for its turn, or for a lookup.
func (s *MemoryStore) expire(now time.Time) {
	for el := s.order.Front(); el != nil && !now.Before(el.Value.(*memoryEntry).expires); el = s.order.Front() {
		s.remove(el)
	}
}

func (s *MemoryStore) remove(el *list.Element) {
	delete(s.entries, el.Value.(*memoryEntry).key)
	s.order.Remove(el)
}
