package whispirtest

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// MarshalText returns the kind's name, e.g. "FaultQPS".
func (k FaultKind) MarshalText() ([]byte, error) {
	if k < 0 || k >= numFaultKinds {
		return nil, fmt.Errorf("%w: %s", ErrInvalidFault, k)
	}
	return []byte(k.String()), nil
}

// UnmarshalText reads a kind's name, e.g. "FaultQPS" (case-insensitive;
// "" is FaultNone).
func (k *FaultKind) UnmarshalText(b []byte) error {
	name := strings.TrimSpace(string(b))
	if name == "" {
		*k = FaultNone
		return nil
	}
	for i, n := range faultNames {
		if strings.EqualFold(n, name) {
			*k = FaultKind(i)
			return nil
		}
	}
	return fmt.Errorf("%w: unknown kind %q", ErrInvalidFault, name)
}

// faultJSON is the JSON form of a Fault: the admin API's.
type faultJSON struct {
	Kind            FaultKind `json:"kind"`
	Status          int       `json:"status,omitempty"`
	RetryAfter      string    `json:"retryAfter,omitempty"`
	Delay           string    `json:"delay,omitempty"` // a Go duration, e.g. "250ms"
	AfterProcessing bool      `json:"afterProcessing,omitempty"`
	Operations      []string  `json:"operations,omitempty"`
}

// MarshalJSON writes the fault as the admin API takes it:
// {"kind":"FaultSlow","delay":"2s","operations":["messageCreate"]}, zero
// fields left out.
func (f Fault) MarshalJSON() ([]byte, error) {
	j := faultJSON{Kind: f.Kind, Status: f.Status, RetryAfter: f.RetryAfter, AfterProcessing: f.AfterProcessing, Operations: f.Operations}
	if f.Delay != 0 {
		j.Delay = f.Delay.String()
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads the form MarshalJSON writes; the fault is checked
// when it is injected.
func (f *Fault) UnmarshalJSON(data []byte) error {
	var j faultJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	var delay time.Duration
	if j.Delay != "" {
		d, err := time.ParseDuration(j.Delay)
		if err != nil {
			return fmt.Errorf("%w: delay %q is not a duration such as 250ms or 2s", ErrInvalidFault, j.Delay)
		}
		delay = d
	}
	*f = Fault{Kind: j.Kind, Status: j.Status, RetryAfter: j.RetryAfter, Delay: delay, AfterProcessing: j.AfterProcessing, Operations: j.Operations}
	return nil
}

// faultInjection is a fault with how often it applies: the body of POST
// /_whispir/faults and an entry of GET /_whispir/faults.
type faultInjection struct {
	Fault
	Count int      `json:"count,omitempty"`
	Rate  *float64 `json:"rate,omitempty"`
	Seed  *uint64  `json:"seed,omitempty"`
}

func (fi faultInjection) MarshalJSON() ([]byte, error) {
	f, err := fi.Fault.MarshalJSON()
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(f, &m); err != nil {
		return nil, err
	}
	if fi.Count > 0 {
		m["count"] = fi.Count
	}
	if fi.Rate != nil {
		m["rate"] = *fi.Rate
	}
	if fi.Seed != nil {
		m["seed"] = *fi.Seed
	}
	return json.Marshal(m)
}

func (fi *faultInjection) UnmarshalJSON(data []byte) error {
	var rest struct {
		Count int      `json:"count"`
		Rate  *float64 `json:"rate"`
		Seed  *uint64  `json:"seed"`
	}
	if err := json.Unmarshal(data, &rest); err != nil {
		return err
	}
	if err := fi.Fault.UnmarshalJSON(data); err != nil {
		return err
	}
	fi.Count, fi.Rate, fi.Seed = rest.Count, rest.Rate, rest.Seed
	return nil
}

// inject applies the injection to s.
func (fi faultInjection) inject(s *Server) (faultInjection, error) {
	f, err := fi.Fault.validate()
	if err != nil {
		return fi, err
	}
	fi.Fault = f
	if fi.Rate != nil {
		if fi.Count != 0 {
			return fi, fmt.Errorf("%w: count and rate cannot be used together", ErrInvalidFault)
		}
		var seed uint64
		if fi.Seed != nil {
			seed = *fi.Seed
		}
		fi.Seed = &seed
		return fi, s.InjectFaultRate(*fi.Rate, fi.Fault, seed)
	}
	if fi.Seed != nil {
		return fi, fmt.Errorf("%w: seed is only for a rate", ErrInvalidFault)
	}
	if fi.Count == 0 {
		fi.Count = 1
	}
	return fi, s.InjectFaults(fi.Count, fi.Fault)
}

// injections lists the faults not used up, in the order they apply.
func (fs *faultSet) injections() []faultInjection {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	out := make([]faultInjection, 0, len(fs.rules))
	for _, r := range fs.rules {
		fi := faultInjection{Fault: r.fault}
		if r.rng == nil {
			fi.Count = r.left
		} else {
			rate, seed := r.rate, r.seed
			fi.Rate, fi.Seed = &rate, &seed
		}
		out = append(out, fi)
	}
	return out
}
