package api

import (
	"errors"
	"net/url"
	"testing"

	"github.com/whispir-go/whispir"
)

func TestRegionsComeFromTheSpec(t *testing.T) {
	t.Parallel()
	servers, err := whispir.Servers()
	if err != nil {
		t.Fatal(err)
	}
	consts := map[Region]string{
		AU: "https://api.au.whispir.com", NZ: "https://api.nz.whispir.com", AP: "https://api.ap.whispir.com",
		AP1: "https://api.ap1.whispir.com", US: "https://api.us.whispir.com", IT: "https://api.it.whispir.com",
		EDU: "https://api.education.whispir.com",
	}
	if len(servers) != len(consts) || len(Regions()) != len(consts) {
		t.Fatalf("spec has %d servers, Regions() %d; want %d", len(servers), len(Regions()), len(consts))
	}
	for r, want := range consts {
		got, err := r.BaseURL()
		if err != nil || got != want {
			t.Errorf("%s.BaseURL() = %q, %v; want %q", r, got, err, want)
		}
	}
}

func TestParseRegion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want Region
		ok   bool
	}{
		{"AU", AU, true}, {"au", AU, true}, {" nz ", NZ, true}, {"ap1", AP1, true},
		{"edu", EDU, true}, {"education", EDU, true}, {"Education", EDU, true},
		{"", "", false}, {"EU", "", false}, {"api.au.whispir.com", "", false},
	}
	for _, tc := range tests {
		got, err := ParseRegion(tc.in)
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("ParseRegion(%q) = %q, %v; want %q, ok=%t", tc.in, got, err, tc.want, tc.ok)
		}
		if !tc.ok && !errors.Is(err, ErrUnknownRegion) {
			t.Errorf("ParseRegion(%q) err = %v; want ErrUnknownRegion", tc.in, err)
		}
	}
}

func TestEveryRegionResolvesToItsHost(t *testing.T) {
	t.Parallel()
	p := newTestProvider(t)
	for _, r := range Regions() {
		c, err := New(p, WithRegion(r))
		if err != nil {
			t.Fatalf("New(WithRegion(%s)): %v", r, err)
		}
		want, _ := r.BaseURL()
		if c.BaseURL() != want {
			t.Errorf("region %s: BaseURL = %q; want %q", r, c.BaseURL(), want)
		}
		u, _ := url.Parse(want)
		req, err := c.NewMessageListRequestFor("ABC")
		if err != nil {
			t.Fatal(err)
		}
		if req.URL.Host != u.Host {
			t.Errorf("region %s: request host = %q; want %q", r, req.URL.Host, u.Host)
		}
		if _, err := whispir.FindRoute(req, ""); err != nil {
			t.Errorf("region %s: route not found: %v", r, err)
		}
	}
}
